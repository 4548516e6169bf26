"""The pipeline's ``notify``: best-effort notices of one job's transitions to its test's live
channel (the Durable Object on Cloudflare, the in-process hub locally).

A notice never fails or delays a save's outcome: ``send`` returns at once (notices go out one
after the other in the background, so they arrive in order, while the next step runs);
``finish`` — the end of the consumer and the Workflow's last step — reads the job row once the
outcome is recorded, sends it, and waits for the notices at most ``NOTIFY_TIMEOUT_SECONDS``.
Errors are logged and swallowed; without a channel (not bound) nothing is sent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobRow
from quizhub.push.protocol import job_message
from quizhub.store.jobs import JobsRepo

__all__ = ["NOTIFY_TIMEOUT_SECONDS", "Notices"]

log = logging.getLogger("quizhub.push")

# The longest a job waits for its notices at its end (each notice is bounded by it too).
NOTIFY_TIMEOUT_SECONDS = 2.0


class Notices:
    """The ordered, bounded notices of one job (make one per delivery or Workflow run)."""

    def __init__(self, b: Bindings, test_id: str | None) -> None:
        self.b = b
        self.test_id = test_id
        self.enabled = b.live is not None and bool(test_id)
        self._last: asyncio.Future[None] | None = None

    def send(self, row: JobRow | None) -> None:
        """Queue a notice of ``row``'s state; never waits, never raises."""
        if not self.enabled or row is None:
            return
        try:
            previous = self._last
            self._last = asyncio.ensure_future(self._deliver(previous, job_message(row)))
        except Exception:  # noqa: BLE001 - best effort: a notice must not hurt the save
            log.exception("could not queue a live notice for job %s", row.job_id)

    async def _deliver(self, previous: asyncio.Future[None] | None, message: Any) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # in order; the previous one's error is its own
        live = self.b.live
        assert live is not None and self.test_id is not None
        try:
            await asyncio.wait_for(live.publish(self.test_id, message), NOTIFY_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - logged and swallowed (best effort)
            log.warning("live notice for job %s not delivered: %r", message["job"]["jobId"], exc)

    async def flush(self) -> None:
        """Wait for the queued notices, at most ``NOTIFY_TIMEOUT_SECONDS``; never raises."""
        last, self._last = self._last, None
        if last is None:
            return
        try:
            done, pending = await asyncio.wait([last], timeout=NOTIFY_TIMEOUT_SECONDS)
            for task in pending:
                task.cancel()
                log.warning(
                    "live notices still pending after %s s: dropped", NOTIFY_TIMEOUT_SECONDS
                )
        except Exception:  # noqa: BLE001
            log.exception("waiting for live notices failed")

    async def finish(self, job_id: str) -> None:
        """The ``notify`` step: send the job's recorded state (its outcome), then ``flush``."""
        if not self.enabled:
            return
        try:
            row = await asyncio.wait_for(JobsRepo(self.b.db).get(job_id), NOTIFY_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - the outcome is recorded; only the notice is lost
            log.warning("could not read job %s for its final notice: %r", job_id, exc)
            row = None
        self.send(row)
        await self.flush()
