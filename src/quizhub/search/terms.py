"""Keyword terms of Korean (and Latin) text, written once for the index and for queries.

FTS5's ``unicode61`` keeps 여행지 and 해외여행 as single tokens and ``trigram`` cannot match a
2-syllable word, so documents and queries are both turned into terms here: after NFC and
casefold, each Korean (or other non-Latin) word becomes its character bigrams (a one-syllable
word stays whole) and each Latin/digit word stays whole. 여행 then matches 여행지, 해외여행
and 여행을 (which shares the bigram 여행), and MBTI matches mbti.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["keyword_terms", "document_terms", "match_query", "MAX_QUERY_LENGTH", "MIN_COVERAGE"]

MAX_QUERY_LENGTH = 100
# A keyword match must contain at least this share of the query's distinct terms: 여행을 →
# {여행, 행을} keeps a test with 여행; 산속에서 불멍 does not match every test with 에서.
MIN_COVERAGE = 0.5
# Runs of Latin letters (accented too) and digits, or of other word characters (Hangul, CJK …).
_LATIN = "0-9a-z\u00c0-\u024f"
_RUN = re.compile(rf"[{_LATIN}]+|[^\W_{_LATIN}]+")


def keyword_terms(text: str) -> list[str]:
    """The terms of ``text`` in order (repeats kept: bm25 counts them)."""
    terms: list[str] = []
    for run in _RUN.findall(unicodedata.normalize("NFC", text).casefold()):
        if run[0].isascii() or "\u00c0" <= run[0] <= "\u024f" or len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def _texts(doc: dict[str, Any]) -> Iterable[str]:
    yield doc.get("title", "")
    yield doc.get("description", "")
    yield from doc.get("tags", [])
    yield from (r.get("title", "") for r in doc.get("results", []))


def document_terms(doc: dict[str, Any]) -> str:
    """The indexed text of a document: terms of its title, description, tags, result titles."""
    return " ".join(term for text in _texts(doc) for term in keyword_terms(text))


def match_query(q: str) -> str | None:
    """An FTS5 MATCH expression for the query (any term may match; bm25 ranks), None if empty."""
    terms = list(dict.fromkeys(keyword_terms(q)))
    return " OR ".join(f'"{t}"' for t in terms) or None
