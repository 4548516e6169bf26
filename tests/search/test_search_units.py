"""Search building blocks: Korean keyword terms and 초성, the evidence a test's terms give for a
query, Reciprocal Rank Fusion, field-vector grouping and the cut, and vector ids."""

from __future__ import annotations

import pytest

from quizhub.search.service import answered, fuse, scores_by_test
from quizhub.search.terms import (
    MAX_INITIALS,
    document_terms,
    initials,
    keyword_query,
    keyword_terms,
    match_query,
)
from quizhub.search.vectors import (
    FIELDS,
    NO_CUT,
    VECTOR_CUTS,
    VectorCut,
    field_texts,
    vector_id,
    vector_ids_of,
)


def test_korean_words_become_bigrams_and_latin_words_stay_whole() -> None:
    """NFC + casefold; 해외여행 → 해외, 외여, 여행; a one-syllable word stays; MBTI → mbti."""
    assert keyword_terms("해외여행") == ["해외", "외여", "여행"]
    assert keyword_terms("MBTI 연애, 나") == ["mbti", "연애", "나"]
    assert keyword_terms("Café 커피 2024년") == ["café", "커피", "2024", "년"]
    decomposed = "\u1100\u1161\u11a8"  # 각 as jamo: NFC composes it first
    assert keyword_terms(decomposed) == ["각"]


def test_a_word_typed_in_initial_consonants_is_one_term() -> None:
    """ㅇㅎ stays whole (it is 여행's 초성, not two letters to pair)."""
    assert keyword_terms("ㅇㅎ") == ["ㅇㅎ"]
    assert keyword_terms("ㅅㄱ 테스트") == ["ㅅㄱ", "테스", "스트"]


def test_initials_are_every_run_of_two_or_more_consonants_of_each_word() -> None:
    """해외여행 → its 초성 ㅎㅇㅇㅎ and every run inside it, so ㅇㅎ finds it too; Latin and
    one-syllable words give none; runs stop at MAX_INITIALS consonants."""
    assert initials("여행") == ["ㅇㅎ"]
    assert initials("성격 유형") == ["ㅅㄱ", "ㅇㅎ"]
    assert set(initials("해외여행")) == {"ㅎㅇ", "ㅇㅇ", "ㅇㅎ", "ㅎㅇㅇ", "ㅇㅇㅎ", "ㅎㅇㅇㅎ"}
    assert initials("MBTI 나") == []
    assert max(len(run) for run in initials("가나다라마바사아자차")) == MAX_INITIALS


def test_document_terms_cover_the_fields_and_the_initials_of_title_and_tags() -> None:
    """Everything a reader would search for in a test, the 초성 of its title and tags, and
    nothing else (descriptions and results give no 초성)."""
    doc = {
        "title": "커피",
        "description": "카페",
        "tags": ["음료"],
        "results": [{"title": "라떼"}],
        "questions": [{"text": "질문은 제외"}],
    }
    assert document_terms(doc) == "커피 카페 음료 라떼 ㅋㅍ ㅇㄹ"


def test_match_query_quotes_every_term_and_drops_syntax() -> None:
    """Each term is a quoted FTS5 string; operators and punctuation never reach FTS5."""
    assert match_query('여행을 "OR" *') == '"여행" OR "행을" OR "or"'
    assert match_query("!!! ...") is None


def test_evidence_counts_words_not_bigrams_and_weighs_them_by_rarity() -> None:
    """여행 좋아하는 사람: 좋아하는 is three bigrams but one word, so a test holding it alone
    holds a third of the query's words (equally rare words), not three fifths of its terms;
    with 여행 the rare word, its holder leads."""
    query = keyword_query("여행 좋아하는 사람")
    assert query.words == (("여행",), ("좋아", "아하", "하는"), ("사람",))
    food = set(keyword_terms("음식 취향으로 보는 성격 좋아하는 음식으로 알아보는 나의 성격"))
    even = query.weights({}, 100)  # no term held anywhere: every word weighs the same
    assert query.evidence(food, even) == pytest.approx((1 / 3, 1 / 3))
    common_liking = query.weights({"좋아": 90, "아하": 90, "하는": 95, "여행": 3, "사람": 40}, 100)
    travel = set(keyword_terms("나의 여행 성향 테스트"))
    assert query.evidence(travel, common_liking)[0] > 0.5 > query.evidence(food, common_liking)[0]


def test_a_word_is_held_with_its_first_bigram_and_half_of_them() -> None:
    """여행을 → {여행, 행을}: a test with 여행 holds it; 산속에서 → {산속, 속에, 에서}: a test
    with only 에서 does not, nor does 움직이기 hold 끓이기 for their shared 이기; a test
    holding a word in part (반려동물 for 반려견) matches but ranks below one holding it all."""
    query = keyword_query("여행을")
    assert query.evidence({"여행"}, query.weights({}, 10)) == (1.0, 0.5)
    query = keyword_query("산속에서")
    assert query.evidence({"에서", "카페"}, query.weights({}, 10)) == (0.0, 0.0)
    query = keyword_query("끓이기")
    assert query.evidence(set(keyword_terms("몸 움직이기형")), query.weights({}, 10))[0] == 0
    query = keyword_query("반려견")
    weights = query.weights({}, 10)
    cat, dog = set(keyword_terms("반려동물")), set(keyword_terms("반려견"))
    assert query.evidence(cat, weights)[0] == query.evidence(dog, weights)[0] == 1.0
    assert query.evidence(cat, weights)[1] < query.evidence(dog, weights)[1]


def test_fusion_rewards_agreement_and_breaks_ties_by_vector_score() -> None:
    """A test both sides found leads; a keyword-only and a vector-only first place tie, and the
    vector side's similarity decides."""
    assert fuse([["a", "b"], ["b", "c"]])[0] == "b"
    assert fuse([["kw"], ["vec"]], tiebreak={"vec": 0.4}) == ["vec", "kw"]


def _match(test_id: str | None, score: float) -> dict[str, object]:
    return {"id": "x", "score": score, "metadata": {"testId": test_id} if test_id else {}}


def test_field_matches_group_by_test_on_the_mean_of_their_best_fields() -> None:
    """Two fields a test scores 0.9 and 0.7 on average 0.8; a match without a testId (a vector
    of the old one-per-test layout) is skipped; best test first."""
    matches = [_match("a", 0.9), _match("b", 0.85), _match("a", 0.7), _match("b", 0.8)]
    matches += [_match(None, 0.99), _match("a", 0.1)]
    scores = scores_by_test(matches, fields=2, complete=True)
    assert scores == pytest.approx({"b": 0.825, "a": 0.8})
    assert list(scores) == ["b", "a"]


def test_a_field_cut_off_by_top_k_scores_as_the_lowest_returned() -> None:
    """When the answer stopped at topK, a test seen by one field alone is not trusted on that
    field: its unseen fields score at most the lowest score returned."""
    matches = [_match("a", 0.9), _match("b", 0.6), _match("b", 0.5)]
    assert scores_by_test(matches, fields=2, complete=False)["a"] == pytest.approx(0.7)
    assert scores_by_test(matches, fields=2, complete=True)["a"] == pytest.approx(0.9)


def test_the_vector_side_answers_only_past_the_cut_then_lists_the_band() -> None:
    """Nothing when the best test is below ``answer``; else every test down to ``keep``."""
    cut = VectorCut(answer=0.8, keep=0.75)
    assert answered({"a": 0.79, "b": 0.78}, cut) == {}
    assert answered({"a": 0.81, "b": 0.76, "c": 0.7}, cut) == {"a": 0.81, "b": 0.76}
    assert answered({"a": 0.1}, NO_CUT) == {"a": 0.1}
    moved = cut.moved_to(0.9)
    assert (moved.answer, moved.keep) == (0.9, pytest.approx(0.85))  # the band is kept
    with pytest.raises(ValueError, match="keeps"):
        VectorCut(answer=0.5, keep=0.6)
    assert all(c.keep <= c.answer for c in VECTOR_CUTS.values())


def test_vector_ids_fit_vectorize_and_are_computable_from_the_test_id() -> None:
    """One id per field, ≤ 64 bytes for the longest test id, distinct across tests and fields,
    the same every time (a delete needs no lookup)."""
    longest = "a" * 63
    ids = vector_ids_of(longest)
    assert len(ids) == len(set(ids)) == len(FIELDS)
    assert all(len(i.encode()) <= 64 for i in ids)
    assert vector_id("travel", "tags") == vector_id("travel", "tags") != vector_id("trip", "tags")
    assert set(vector_ids_of("travel")).isdisjoint(vector_ids_of("trip"))


def test_field_texts_skip_empty_fields() -> None:
    """A test without description or tags has vectors for its title and results only."""
    doc = {"title": "커피", "description": " ", "tags": [], "results": [{"title": "라떼"}]}
    assert field_texts(doc) == {"title": "커피", "results": "라떼"}
    doc = {"title": "t", "description": "d", "tags": ["a", "b"], "results": [{"title": "r"}]}
    assert field_texts(doc) == {"title": "t", "description": "d", "tags": "a, b", "results": "r"}
