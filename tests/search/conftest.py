"""The eval set run once per session (``make eval-search``'s own code, local model): the
quality tests read its numbers instead of saving the catalogue again."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from benchmarks.eval_search import Evaluation, run_eval


@pytest.fixture(scope="session")
def evaluation() -> Evaluation:
    with tempfile.TemporaryDirectory(prefix="quizhub-eval-") as tmp:
        return asyncio.run(run_eval(Path(tmp)))
