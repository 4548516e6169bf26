"""Search building blocks: Korean keyword terms, the FTS query, Reciprocal Rank Fusion, and the
eval set's quality bar (hybrid at least as good as each side alone)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from benchmarks.eval_search import evaluate

from quizhub.search.service import fuse
from quizhub.search.terms import document_terms, keyword_terms, match_query


def test_korean_words_become_bigrams_and_latin_words_stay_whole() -> None:
    """NFC + casefold; 해외여행 → 해외, 외여, 여행; a one-syllable word stays; MBTI → mbti."""
    assert keyword_terms("해외여행") == ["해외", "외여", "여행"]
    assert keyword_terms("MBTI 연애, 나") == ["mbti", "연애", "나"]
    assert keyword_terms("Café 커피 2024년") == ["café", "커피", "2024", "년"]
    decomposed = "\u1100\u1161\u11a8"  # 각 as jamo: NFC composes it first
    assert keyword_terms(decomposed) == ["각"]


def test_document_terms_cover_title_description_tags_and_result_titles() -> None:
    """Everything a reader would search for in a test, and nothing else."""
    doc = {
        "title": "커피",
        "description": "카페",
        "tags": ["음료"],
        "results": [{"title": "라떼"}],
        "questions": [{"text": "질문은 제외"}],
    }
    assert document_terms(doc) == "커피 카페 음료 라떼"


def test_match_query_quotes_every_term_and_drops_syntax() -> None:
    """Each term is a quoted FTS5 string; operators and punctuation never reach FTS5."""
    assert match_query('여행을 "OR" *') == '"여행" OR "행을" OR "or"'
    assert match_query("!!! ...") is None


def test_fusion_rewards_agreement_and_breaks_ties_by_vector_score() -> None:
    """A test both sides found leads; a keyword-only and a vector-only first place tie, and the
    vector side's similarity decides."""
    assert fuse([["a", "b"], ["b", "c"]])[0] == "b"
    assert fuse([["kw"], ["vec"]], tiebreak={"vec": 0.4}) == ["vec", "kw"]


def test_hybrid_is_at_least_as_good_as_each_side_on_the_eval_set() -> None:
    """On search_eval/: hybrid ≥ keyword and vector on every metric, better on their sum, and
    no-answer queries return nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        scores = asyncio.run(evaluate(Path(tmp)))
    hybrid, keyword, vector = scores["hybrid"], scores["keyword"], scores["vector"]
    noise = "results per no-answer query"
    for name in hybrid:
        for other in (keyword, vector):
            better = hybrid[name] <= other[name] if name == noise else hybrid[name] >= other[name]
            assert better, (name, scores)
    total = {m: sum(v for k, v in s.items() if k != noise) for m, s in scores.items()}
    assert total["hybrid"] > max(total["keyword"], total["vector"]), total
    assert hybrid[noise] == 0
