"""Which play events are plausible: the checks the analytics consumer makes on each event of a
batch before it is stored, against D1 and the immutable revision objects in R2.

An event names its test and the revision being played (``rev``). It is refused, with a reason,
when

- the test does not exist or was deleted (``unknown_test``), or is not published now
  (``draft``);
- ``rev`` is not a committed revision of that test (``unknown_rev``), or that revision was a
  draft (``draft``: previews send nothing, so no player played it);
- one of its ids does not name an item of THAT revision (``unknown_question``,
  ``unknown_option``: not an option of the event's question, ``unknown_result``). Which fields
  are checked, and against what, is read from the one definition of an event
  (``EventField.refers`` in ``quizhub.analytics.events``).

Checking against the revision played, not the current one, means an editor's change mid-play
never rejects an honest player. Revisions are immutable, so each is read once per batch.

Two more reasons are decided later, in the store, because they depend on the other events of
the play (``quizhub.analytics.store``): ``session_cap`` (past a per-session cap,
``SESSION_CAPS``) and ``no_start`` (a completion whose play has no start yet: it counts once
the start arrives, whatever the order). Pydantic-free: the consumer Worker runs it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Literal, get_args

from quizhub.analytics.events import TYPE_FIELDS, PlayEvent
from quizhub.errors import StorageDamaged
from quizhub.ports import D1Database, R2Bucket
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import VersionRow, VersionsRepo, load_version_content

__all__ = [
    "RejectReason",
    "REJECT_REASONS",
    "STATIC_REASONS",
    "SESSION_CAP",
    "NO_START",
    "Revision",
    "Judge",
]

log = logging.getLogger("quizhub.analytics")

RejectReason = Literal[
    "unknown_test",
    "draft",
    "unknown_rev",
    "unknown_question",
    "unknown_option",
    "unknown_result",
    "session_cap",
    "no_start",
]
# Every reason an event is not counted, in the order the admin stats list them.
REJECT_REASONS: tuple[RejectReason, ...] = get_args(RejectReason)
SESSION_CAP: RejectReason = "session_cap"
NO_START: RejectReason = "no_start"
# The reasons decided per event, here (the other two are the store's).
STATIC_REASONS = tuple(r for r in REJECT_REASONS if r not in (SESSION_CAP, NO_START))
_UNKNOWN: dict[str, RejectReason] = {
    "question": "unknown_question",
    "option": "unknown_option",
    "result": "unknown_result",
}


@dataclass(frozen=True)
class Revision:
    """The ids of one revision of a test: each question's options, and the results."""

    questions: dict[str, frozenset[str]]
    results: frozenset[str]

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Revision:
        questions = {
            str(q.get("id")): frozenset(str(o.get("id")) for o in q.get("options", []))
            for q in doc.get("questions", [])
        }
        return cls(questions, frozenset(str(r.get("id")) for r in doc.get("results", [])))

    def unknown(self, event: PlayEvent) -> RejectReason | None:
        """The first id of ``event`` that names nothing in this revision, as a reason."""
        wire = event.wire()
        for field in TYPE_FIELDS[event.type]:
            value = wire.get(field.name)
            if field.refers == "question":
                known = value in self.questions
            elif field.refers == "option":
                known = value in self.questions.get(event.question_id or "", frozenset())
            elif field.refers == "result":
                known = value in self.results
            else:
                continue
            if not known:
                return _UNKNOWN[field.refers]
        return None


class Judge:
    """The static checks of one batch: D1 is asked once for the tests' pointers and once for
    the versions named, and each revision object is read from R2 once."""

    def __init__(self, db: D1Database, bucket: R2Bucket) -> None:
        self.db = db
        self.bucket = bucket

    async def reasons(self, events: list[PlayEvent]) -> list[RejectReason | None]:
        """For each event, why it is refused (None: plausible so far)."""
        pointers = await TestsRepo(self.db).pointers(sorted({e.test_id for e in events}))
        verdicts: list[RejectReason | None] = []
        wanted: set[tuple[str, str]] = set()
        for e in events:
            row = pointers.get(e.test_id)
            if row is None or row.deleted:
                verdicts.append("unknown_test")
            elif row.status != "published":
                verdicts.append("draft")
            else:
                verdicts.append(None)
                wanted.add((e.test_id, e.rev))
        revisions = await self._revisions(sorted(wanted))
        for i, e in enumerate(events):
            if verdicts[i] is None:
                found = revisions[(e.test_id, e.rev)]
                verdicts[i] = found.unknown(e) if isinstance(found, Revision) else found
        return verdicts

    async def _revisions(
        self, pairs: list[tuple[str, str]]
    ) -> dict[tuple[str, str], Revision | RejectReason]:
        versions = await VersionsRepo(self.db).many(pairs)
        found = await asyncio.gather(*(self._revision(versions.get(p)) for p in pairs))
        return dict(zip(pairs, found, strict=True))

    async def _revision(self, version: VersionRow | None) -> Revision | RejectReason:
        if version is None:
            return "unknown_rev"
        if version.status == "draft":
            return "draft"
        try:
            doc = await load_version_content(self.bucket, version)
        except StorageDamaged as exc:  # a committed revision always has its object: say so
            log.error("analytics: %s; its events are refused as unknown_rev", exc.message)
            return "unknown_rev"
        if (version.status or doc.get("status")) != "published":
            return "draft"
        return Revision.of(doc)
