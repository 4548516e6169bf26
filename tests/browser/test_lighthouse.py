"""Lighthouse on a test's page and a result's page (mobile preset): SEO 100, Accessibility 100
and Best Practices at least 95, or the failing audits are named (docs/sharing.md#lighthouse)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import _lighthouse
from tests.browser.conftest import _unavailable


@pytest.fixture(scope="module")
def lighthouse() -> None:
    why = _lighthouse.available()
    if why is not None:
        _unavailable(why)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["test", "result"])
def test_public_pages_pass_lighthouse(
    lighthouse: None, make_test: Any, server: str, which: str
) -> None:
    """The page scores at least each gate (mobile preset)."""
    test_id, _ = make_test(title="라이트하우스 점검 테스트")
    path = f"/t/{test_id}" if which == "test" else f"/t/{test_id}/r/planner"
    report = _lighthouse.audit(f"{server}{path}")
    assert report["configSettings"]["formFactor"] == "mobile"
    got = _lighthouse.scores(report)
    low = {
        name: (got[name], _lighthouse.shortfalls(report, name))
        for name, gate in _lighthouse.GATES.items()
        if got[name] < gate
    }
    assert low == {}, low
