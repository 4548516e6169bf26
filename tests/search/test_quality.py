"""Search quality on the judged eval set (search_eval/) with the local model: hybrid at least as
good as each side, the bar the local platform is held to, and the cut in use being the one
``make eval-search`` picks from its sweep."""

from __future__ import annotations

from benchmarks.eval_search import SILENCED, Evaluation, picked

from quizhub.search.vectors import LOCAL_EMBEDDING_MODEL, VECTOR_CUTS

NOISE = "results per no-answer query"


def test_hybrid_is_at_least_as_good_as_each_side(evaluation: Evaluation) -> None:
    """On every answering metric hybrid is at least as good as keyword alone and vector alone;
    on no-answer queries it lists what the vector side lists, nothing more (the keyword side
    adds no result to them)."""
    scores = evaluation.scores
    hybrid = scores["hybrid"]
    for name in set(hybrid) - {NOISE, SILENCED}:
        for side in ("keyword", "vector"):
            assert hybrid[name] >= scores[side][name], (name, side, scores)
    for name in (NOISE, SILENCED):
        assert hybrid[name] == scores["vector"][name], (name, scores)


def test_the_local_platform_meets_the_search_bar(evaluation: Evaluation) -> None:
    """Meaning-only hit@3 ≥ 0.6 and MRR ≥ 0.5 while ≥ 90 % of no-answer queries find nothing;
    every keyword query's tests in the top 10; the topic word, not an everyday one, decides
    (여행 좋아하는 사람 → a travel test first); 비슷한 테스트 precision@3 ≥ 0.5."""
    hybrid = evaluation.scores["hybrid"]
    assert hybrid["hit@3 (meaning)"] >= 0.6, hybrid
    assert hybrid["MRR (meaning)"] >= 0.5, hybrid
    assert hybrid[SILENCED] >= 0.9, hybrid
    assert hybrid["recall@10 (keyword)"] == 1.0, hybrid
    assert hybrid["hit@1 (topic)"] >= 0.9, hybrid
    assert evaluation.similar >= 0.5


def test_the_cut_in_use_is_the_one_the_sweep_picks(evaluation: Evaluation) -> None:
    """VECTOR_CUTS holds, for the local model, the lowest answering score that silences 90 %
    of the no-answer queries: a change of model, fields or eval set moves it (re-run
    ``make eval-search`` and copy the picked cut)."""
    assert evaluation.cut == VECTOR_CUTS[LOCAL_EMBEDDING_MODEL]
    best = picked(evaluation)
    assert (round(best.answer, 4), round(best.keep, 4)) == (
        evaluation.cut.answer,
        evaluation.cut.keep,
    )
