"""``make eval-search``'s tools: the no-answer sweep reproduces the real search path, and
``EMBEDDER=workers-ai`` embeds through Workers AI's REST API into a 1024-d index."""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks import eval_search
from benchmarks.eval_search import (
    NOISE,
    SILENCE_TARGET,
    SILENCED,
    Evaluation,
    hybrid_at,
    main,
    picked,
    run_eval,
    sweep,
)
from benchmarks.workers_ai_rest import MissingCredentials, WorkersAiRest, run_url

from quizhub.ports import EMBED_TEXTS_LIMIT
from quizhub.search.vectors import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, VECTOR_CUTS, VectorCut


def _bigram_vector(text: str) -> list[float]:
    """A deterministic 1024-d stand-in embedding: hashed character bigrams, unit length."""
    vector = np.zeros(EMBEDDING_DIMENSIONS)
    for word in text.split():
        for i in range(max(1, len(word) - 1)):
            digest = hashlib.sha256(word[i : i + 2].encode()).digest()
            vector[int.from_bytes(digest[:4], "big") % EMBEDDING_DIMENSIONS] += 1.0
    norm = np.linalg.norm(vector)
    return list(vector / norm) if norm else list(vector)


class FakeRestApi:
    """Workers AI's REST endpoint: records requests, answers as Cloudflare does."""

    def __init__(self, refuse: bool = False) -> None:
        self.requests: list[tuple[str, dict[str, Any], Mapping[str, str]]] = []
        self.refuse = refuse

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        payload = json.loads(body)
        self.requests.append((url, payload, headers))
        if self.refuse:
            return {"success": False, "errors": [{"code": 10000, "message": "Authentication"}]}
        data = [_bigram_vector(t) for t in payload["text"]]
        return {
            "success": True,
            "result": {"shape": [len(data), EMBEDDING_DIMENSIONS], "data": data},
        }


def test_the_sweep_at_the_cut_in_use_is_what_search_answers(evaluation: Evaluation) -> None:
    """hybrid_at(cut in use) equals the hybrid row measured through GET /api/tests?q='s code;
    raising the cut never lets more results through for no-answer queries, and silences a
    growing share of them; the picked cut is the first point silencing 90 %."""
    ev = evaluation
    assert hybrid_at(ev, ev.cut) == ev.scores["hybrid"]
    rows = sweep(ev)
    assert any(cut.answer == ev.cut.answer for cut, _ in rows)
    noise = [m[NOISE] for _, m in rows]
    silenced = [m[SILENCED] for _, m in rows]
    assert noise == sorted(noise, reverse=True), rows
    assert silenced == sorted(silenced), rows
    assert rows[0][1][NOISE] > 0  # the lowest cut lets no-answer queries through
    best = picked(ev)
    below = [m for cut, m in rows if cut.answer < best.answer]
    assert hybrid_at(ev, best)[SILENCED] >= SILENCE_TARGET > max(m[SILENCED] for m in below)


def test_workers_ai_embedder_posts_texts_and_fills_a_production_sized_index() -> None:
    """Every text goes to the model's REST URL with the token; the eval runs end to end on the
    answers (a 1024-d index), with production's cut."""
    api = FakeRestApi()
    ai = WorkersAiRest("acct", "tok", post=api)
    with tempfile.TemporaryDirectory() as tmp:
        ev = asyncio.run(run_eval(Path(tmp), ai))
    url, payload, headers = api.requests[0]
    assert url == run_url("acct", EMBEDDING_MODEL)
    assert url == "https://api.cloudflare.com/client/v4/accounts/acct/ai/run/@cf/baai/bge-m3"
    assert headers["Authorization"] == "Bearer tok"
    # The catalogue is indexed by the index queue's consumer: many texts per request, ≤ 100.
    assert payload == {"text": payload["text"]} and len(payload["text"]) > 1
    assert all(len(p["text"]) <= EMBED_TEXTS_LIMIT for _, p, _ in api.requests)
    assert ev.cut == VECTOR_CUTS[EMBEDDING_MODEL]  # production's model, production's cut
    assert ev.scores["keyword"]["recall@10 (keyword)"] == 1.0
    assert any(ev.vector), "the 1024-d index answered"


def test_workers_ai_refusal_names_the_reason() -> None:
    ai = WorkersAiRest("acct", "bad", post=FakeRestApi(refuse=True))
    with pytest.raises(RuntimeError, match="Authentication"):
        asyncio.run(ai.run(EMBEDDING_MODEL, {"text": ["여행"]}))


def test_missing_credentials_say_which_variables_to_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MissingCredentials, match="CLOUDFLARE_API_TOKEN"):
        WorkersAiRest.from_env({"CLOUDFLARE_ACCOUNT_ID": "acct"})
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    assert main(["--embedder", "workers-ai"]) == 2
    assert "CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN" in capsys.readouterr().err


def test_the_eval_writes_its_two_tables_where_it_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make eval-search`` writes the quality table and the sweep (benchmarks.report) into the
    measured dir, one file each, named after the embedder; here a small evaluation stands in for
    the real run."""
    queries = [
        {"q": "여행", "kind": "keyword", "relevant": ["t1"]},
        {"q": "바다", "kind": "meaning", "relevant": ["t2"]},
        {"q": "없음", "kind": "none", "relevant": []},
    ]
    cut = VectorCut(0.2, 0.15)
    vector = [{"t1": 0.5}, {"t2": 0.3}, {"t3": 0.1}]
    ev = Evaluation({}, queries, [["t1"], [], []], vector, cut, similar=0.5)
    ev = replace(ev, scores={m: hybrid_at(ev, cut) for m in ("keyword", "vector", "hybrid")})

    async def fake_run_eval(root: Path, ai: Any = None) -> Evaluation:
        return ev

    monkeypatch.setattr(eval_search, "run_eval", fake_run_eval)
    assert main(["--out", str(tmp_path)]) == 0
    quality = (tmp_path / "search-quality.md").read_text(encoding="utf-8")
    swept = (tmp_path / "search-cut-sweep.md").read_text(encoding="utf-8")
    for text in (quality, swept):
        assert text.splitlines()[2].startswith("*Measured on ") and "embedder: local" in text
    assert "| metric | keyword | vector | hybrid |" in quality
    assert "| 0.2000 / 0.1500 (in use) |" in swept
    assert "precision@3 on" in quality
