"""Keyword terms of Korean (and Latin) text, written once for the index and for queries, and the
evidence a test's terms give for a query.

FTS5's ``unicode61`` keeps 여행지 and 해외여행 as single tokens and ``trigram`` cannot match a
2-syllable word, so documents and queries are both turned into terms here: after NFC and
casefold, each Korean (or other non-Latin) word becomes its character bigrams (a one-syllable
word stays whole) and each Latin/digit word stays whole. 여행 then matches 여행지, 해외여행
and 여행을 (which shares the bigram 여행), and MBTI matches mbti.

초성 (initial consonants, the way Korean players type a word in a hurry: ㅇㅎ for 여행): every
word of a document's title and tags also gives the runs of at least two of its initials
(해외여행 → ㅎㅇ, ㅇㅇ, ㅇㅎ, ㅎㅇㅇ, …), and a query word typed in initial consonants only stays
one whole term, so ㅇㅎ finds 여행 and 해외여행 and ㅅㄱ finds 성격.

How much a test's terms say about a query (``KeywordQuery.evidence``) is counted by query WORD,
not by bigram, and each word weighs by how rare it is in the catalogue (BM25's idf of its
terms' document frequencies): a long everyday word (좋아하는: three bigrams) then counts once,
and a word most tests hold counts little. A test holds a word when it holds the word's first
term and at least ``MIN_COVERAGE`` of its terms (a Korean word's stem comes first, its particle
or ending last: 여행을 → {여행, 행을}: a test with 여행 holds it; 끓이기 is not held by 움직이기
for their shared 이기); it is a keyword match when the words it holds weigh at least
``MIN_EVIDENCE`` of the query's words, and among matches, the one holding more of each word
ranks first (반려견 holds 반려견 whole, 반려동물 half of it). "여행 좋아하는 사람" thus matches no
test on 좋아하는 (or 여행) alone: one word of three.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "keyword_terms",
    "document_terms",
    "match_query",
    "initials",
    "KeywordQuery",
    "keyword_query",
    "idf",
    "MAX_QUERY_LENGTH",
    "MIN_COVERAGE",
    "MIN_EVIDENCE",
    "MAX_INITIALS",
]

MAX_QUERY_LENGTH = 100
# A test holds a query word when it holds the word's first term and at least this share of them.
MIN_COVERAGE = 0.5
# A test matches a query when the words it holds weigh at least this share of the query's.
MIN_EVIDENCE = 0.5
# The longest run of initial consonants indexed (and so matched) per word.
MAX_INITIALS = 6
# Runs of Latin letters (accented too) and digits, or of other word characters (Hangul, CJK …).
_LATIN = "0-9a-z\u00c0-\u024f"
_RUN = re.compile(rf"[{_LATIN}]+|[^\W_{_LATIN}]+")
# The 19 initial consonants, in the order Hangul syllables are numbered (compatibility jamo, as
# a keyboard types them alone), and a word typed in them only.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_ALL_INITIALS = re.compile(f"[{_INITIALS}]+")
_SYLLABLES = re.compile("[\uac00-\ud7a3]+")
_PER_INITIAL = 21 * 28  # syllables per initial consonant (vowels × finals)


def _words(text: str) -> list[str]:
    return _RUN.findall(unicodedata.normalize("NFC", text).casefold())


def _word_terms(word: str) -> list[str]:
    """A Latin word, a one-syllable word or a word of initial consonants whole; any other word
    as its character bigrams."""
    if word[0].isascii() or "\u00c0" <= word[0] <= "\u024f" or len(word) == 1:
        return [word]
    if _ALL_INITIALS.fullmatch(word):
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def keyword_terms(text: str) -> list[str]:
    """The terms of ``text`` in order (repeats kept: bm25 counts them)."""
    return [term for word in _words(text) for term in _word_terms(word)]


def initials(text: str) -> list[str]:
    """The 초성 terms of ``text``: for each run of Hangul syllables, every run of 2 to
    ``MAX_INITIALS`` of its initial consonants (여행 → ['ㅇㅎ']), each once."""
    out: dict[str, None] = {}
    for word in _words(text):
        for run in _SYLLABLES.findall(word):
            consonants = "".join(_INITIALS[(ord(s) - 0xAC00) // _PER_INITIAL] for s in run)
            for size in range(2, min(len(consonants), MAX_INITIALS) + 1):
                for start in range(len(consonants) - size + 1):
                    out[consonants[start : start + size]] = None
    return list(out)


def _texts(doc: dict[str, Any]) -> Iterable[str]:
    yield doc.get("title", "")
    yield doc.get("description", "")
    yield from doc.get("tags", [])
    yield from (r.get("title", "") for r in doc.get("results", []))


def document_terms(doc: dict[str, Any]) -> str:
    """The indexed text of a document: terms of its title, description, tags, result titles,
    then the 초성 terms of its title and tags."""
    terms = [term for text in _texts(doc) for term in keyword_terms(text)]
    for text in (doc.get("title", ""), *doc.get("tags", [])):
        terms.extend(initials(text))
    return " ".join(terms)


def match_query(q: str) -> str | None:
    """An FTS5 MATCH expression for the query (any term may match; bm25 ranks), None if empty."""
    return keyword_query(q).expression


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency of a term held by ``df`` of ``n`` tests (always > 0)."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class KeywordQuery:
    """A query's distinct words, each as its terms."""

    words: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> list[str]:
        """Every distinct term, in order."""
        return list(dict.fromkeys(t for word in self.words for t in word))

    @property
    def expression(self) -> str | None:
        """An FTS5 MATCH expression: any term, each a quoted string (terms are runs of word
        characters: no quote or operator can reach FTS5); None without terms."""
        return " OR ".join(f'"{t}"' for t in self.terms) or None

    def weights(self, df: Mapping[str, int], n: int) -> list[float]:
        """Each word's weight: the mean idf of its terms among ``n`` tests."""
        return [sum(idf(df.get(t, 0), n) for t in word) / len(word) for word in self.words]

    def evidence(self, held: set[str], weights: list[float]) -> tuple[float, float]:
        """What a test holding the terms ``held`` has of the query: the share of the query's
        word weight in the words it holds (does it match?), and the same share with each held
        word counted by the part of its terms held (which match is better?)."""
        total = sum(weights)
        whole = graded = 0.0
        for word, weight in zip(self.words, weights, strict=True):
            found = len(held.intersection(word))
            if word[0] in held and found >= MIN_COVERAGE * len(word):
                whole += weight
                graded += weight * found / len(word)
        return (whole / total, graded / total) if total > 0 else (0.0, 0.0)


def keyword_query(q: str) -> KeywordQuery:
    """``q`` as distinct words of terms (no words: nothing can match)."""
    words = dict.fromkeys(tuple(_word_terms(w)) for w in _words(q))
    return KeywordQuery(tuple(words))
