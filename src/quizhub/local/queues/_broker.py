"""A durable SQLite queue broker with Cloudflare Queues semantics (storage side).

Every state change is one SQLite transaction in WAL mode, so a message is durable once
``enqueue`` returns and a killed process loses nothing: a leased (in-flight) batch that is
never settled comes back when its lease runs out, counted as a failed delivery. A message that
fails on its ``1 + max_retries``-th delivery moves to the dead letter queue (same id, timestamp
and body; a fresh delivery count) or is dropped when there is none, as on Cloudflare and in
Miniflare's broker. Unlike Miniflare, messages persist and wait for a consumer that is not
running yet, as they do in production — for the queue's message retention period, like the real
queue: a message older than ``retention_seconds`` (counted from when it was first sent) is
dropped when a batch is leased and counted as ``expired``. The consumer loop lives in
``_consumer``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from quizhub.bindings import wall_clock_ms
from quizhub.local._signals import Listeners
from quizhub.local._sqlite import SqliteHandle
from quizhub.local.queues._config import ConsumerSettings
from quizhub.local.queues._model import (
    DEFAULT_LEASE_MS,
    Decision,
    Lease,
    LeasedMessage,
    decode_body,
)
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS

__all__ = ["LocalQueueBroker"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL, id TEXT NOT NULL, content_type TEXT NOT NULL, body TEXT NOT NULL,
    timestamp_ms INTEGER NOT NULL, visible_at_ms INTEGER NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 0, lease_token TEXT, lease_until_ms INTEGER
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, lease_token, visible_at_ms, seq);
CREATE INDEX IF NOT EXISTS messages_leased ON messages (queue, lease_until_ms);
CREATE TABLE IF NOT EXISTS counters (
    queue TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (queue, name)
) WITHOUT ROWID;
"""
_COUNTERS = (
    "sent",
    "delivered",
    "acked",
    "retried",
    "lease_expired",
    "dead_lettered",
    "dropped",
    "expired",
)
_READY = "queue = ? AND lease_token IS NULL AND visible_at_ms <= ?"


def _bump(conn: Any, queue: str, name: str, by: int = 1) -> None:
    conn.execute(
        "INSERT INTO counters (queue, name, value) VALUES (?, ?, ?)"
        " ON CONFLICT (queue, name) DO UPDATE SET value = value + excluded.value",
        (queue, name, by),
    )


class LocalQueueBroker:
    """All queues of the local platform in one SQLite file."""

    def __init__(
        self,
        path: str | Path,
        consumers: Mapping[str, ConsumerSettings] | None = None,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        lease_ms: int = DEFAULT_LEASE_MS,
        retention_seconds: int = QUEUE_RETENTION_SECONDS,
    ) -> None:
        if retention_seconds <= 0:
            raise ValueError("retention_seconds must be > 0")
        self._handle = SqliteHandle(path)
        self.consumers = dict(consumers or {})
        self.clock_ms = clock_ms
        self.lease_ms = lease_ms
        self.retention_ms = retention_seconds * 1000
        self._listeners = Listeners()
        with self._handle.locked() as conn:
            conn.executescript(_SCHEMA)

    def settings_for(self, queue: str) -> ConsumerSettings:
        """The consumer settings of ``queue`` (Cloudflare's defaults when it has none)."""
        return self.consumers.get(queue) or ConsumerSettings()

    # ------------------------------------------------------------ producer side
    def enqueue(self, queue: str, messages: list[tuple[str, str, int]]) -> list[str]:
        """Store ``(content_type, stored_body, delay_seconds)`` items in one transaction."""
        now = self.clock_ms()
        ids = [uuid.uuid4().hex for _ in messages]
        with self._handle.transaction() as conn:
            conn.executemany(
                "INSERT INTO messages (queue, id, content_type, body, timestamp_ms, visible_at_ms)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (queue, mid, ctype, body, now, now + delay * 1000)
                    for mid, (ctype, body, delay) in zip(ids, messages, strict=True)
                ],
            )
            _bump(conn, queue, "sent", len(messages))
        self._notify(queue)
        return ids

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener(queue)`` after each local enqueue; returns the unsubscribe function."""
        return self._listeners.subscribe(listener)

    # ------------------------------------------------------------ consumer side
    def lease(
        self,
        queue: str,
        now_ms: int,
        *,
        settings: ConsumerSettings | None = None,
        lease_ms: int | None = None,
    ) -> Lease | None:
        """Lease the next batch if one is due at ``now_ms`` (full, or its oldest waited enough)."""
        settings = settings or self.settings_for(queue)
        with self._handle.locked() as conn:  # cheap read first: no write lock when idle
            if not self._batch_due(conn, queue, settings, now_ms):
                return None
        until = now_ms + (self.lease_ms if lease_ms is None else lease_ms)
        token = uuid.uuid4().hex
        moved_to: set[str] = set()
        with self._handle.transaction() as conn:
            # Past the retention period: gone, as on Cloudflare (unless a consumer holds it now).
            too_old = conn.execute(
                "DELETE FROM messages WHERE queue = ? AND timestamp_ms <= ?"
                " AND (lease_token IS NULL OR lease_until_ms <= ?)",
                (queue, now_ms - self.retention_ms, now_ms),
            ).rowcount
            if too_old:
                _bump(conn, queue, "expired", too_old)
            expired = conn.execute(
                "SELECT seq, deliveries, lease_until_ms FROM messages"
                " WHERE queue = ? AND lease_until_ms <= ?",
                (queue, now_ms),
            ).fetchall()
            for seq, deliveries, visible_again in expired:  # the consumer died or hung
                _bump(conn, queue, "lease_expired")
                moved_to |= self._fail(
                    conn, queue, settings, seq, deliveries, visible_again, now_ms
                )
            if not self._batch_due(conn, queue, settings, now_ms):
                rows = []
            else:
                rows = conn.execute(
                    f"SELECT seq, id, content_type, body, deliveries, timestamp_ms FROM messages"
                    f" WHERE {_READY} ORDER BY visible_at_ms, seq LIMIT ?",
                    (queue, now_ms, settings.max_batch_size),
                ).fetchall()
                conn.executemany(
                    "UPDATE messages SET lease_token = ?, lease_until_ms = ?,"
                    " deliveries = deliveries + 1 WHERE seq = ?",
                    [(token, until, row[0]) for row in rows],
                )
                _bump(conn, queue, "delivered", len(rows))
        for name in moved_to:
            self._notify(name)
        if not rows:
            return None
        messages = [
            LeasedMessage(seq, mid, decode_body(ctype, body), deliveries + 1, ts)
            for seq, mid, ctype, body, deliveries, ts in rows
        ]
        return Lease(token, until, messages)

    def settle(
        self,
        queue: str,
        lease: Lease,
        decisions: Mapping[int, Decision],
        now_ms: int,
        *,
        settings: ConsumerSettings | None = None,
    ) -> None:
        """Apply ack/retry per message in ONE transaction (a lost lease makes them no-ops)."""
        settings = settings or self.settings_for(queue)
        moved_to: set[str] = set()
        with self._handle.transaction() as conn:
            for seq, (kind, delay) in decisions.items():
                row = conn.execute(
                    "SELECT deliveries FROM messages WHERE seq = ? AND lease_token = ?",
                    (seq, lease.token),
                ).fetchone()
                if row is None:
                    continue  # the lease ran out and the message was redelivered or moved
                if kind == "ack":
                    conn.execute("DELETE FROM messages WHERE seq = ?", (seq,))
                    _bump(conn, queue, "acked")
                else:
                    visible = now_ms + int((delay or 0) * 1000)
                    moved_to |= self._fail(conn, queue, settings, seq, row[0], visible, now_ms)
        for name in moved_to | {queue}:
            self._notify(name)

    def next_due_ms(
        self, queue: str, now_ms: int, *, settings: ConsumerSettings | None = None
    ) -> int | None:
        """When a batch could next be delivered (<= now = due now); None when the queue is idle."""
        settings = settings or self.settings_for(queue)
        with self._handle.locked() as conn:
            if self._batch_due(conn, queue, settings, now_ms):
                return now_ms
            ready_oldest, delayed_first = conn.execute(
                "SELECT MIN(CASE WHEN visible_at_ms <= ?1 THEN visible_at_ms END),"
                " MIN(CASE WHEN visible_at_ms > ?1 THEN visible_at_ms END)"
                " FROM messages WHERE queue = ?2 AND lease_token IS NULL",
                (now_ms, queue),
            ).fetchone()
            (lease_end,) = conn.execute(
                "SELECT MIN(lease_until_ms) FROM messages WHERE queue = ?", (queue,)
            ).fetchone()
        timeout_ms = int(settings.max_batch_timeout * 1000)
        candidates = [
            None if ready_oldest is None else ready_oldest + timeout_ms,
            delayed_first,  # may fill a batch as soon as it becomes visible
            lease_end,
        ]
        return min((c for c in candidates if c is not None), default=None)

    def stats(self, queue: str, *, dead_letter_queue: str | None = None) -> dict[str, int]:
        """Counts for ``queue``: ready, in_flight, delayed, dlq, plus lifetime counters."""
        now = self.clock_ms()
        dead_letter_queue = dead_letter_queue or self.settings_for(queue).dead_letter_queue
        with self._handle.locked() as conn:
            ready, in_flight, delayed = conn.execute(
                "SELECT"
                " COALESCE(SUM(lease_token IS NULL AND visible_at_ms <= ?1"
                "   OR lease_token IS NOT NULL AND lease_until_ms <= ?1), 0),"
                " COALESCE(SUM(lease_token IS NOT NULL AND lease_until_ms > ?1), 0),"
                " COALESCE(SUM(lease_token IS NULL AND visible_at_ms > ?1), 0)"
                " FROM messages WHERE queue = ?2",
                (now, queue),
            ).fetchone()
            (dlq,) = conn.execute(
                "SELECT COUNT(*) FROM messages WHERE queue = ?", (dead_letter_queue or "",)
            ).fetchone()
            counters = dict(
                conn.execute(
                    "SELECT name, value FROM counters WHERE queue = ?", (queue,)
                ).fetchall()
            )
        out = {"ready": ready, "in_flight": in_flight, "delayed": delayed, "dlq": dlq}
        return out | {name: counters.get(name, 0) for name in _COUNTERS}

    def close(self) -> None:
        """Close the database."""
        self._handle.close()

    # ------------------------------------------------------------ internals
    @staticmethod
    def _batch_due(conn: Any, queue: str, settings: ConsumerSettings, now_ms: int) -> bool:
        count, oldest = conn.execute(
            f"SELECT COUNT(*), MIN(visible_at_ms) FROM"
            f" (SELECT visible_at_ms FROM messages WHERE {_READY} LIMIT ?)",
            (queue, now_ms, settings.max_batch_size),
        ).fetchone()
        # Expired leases are reclaimed inside ``lease``; they make a batch due at once.
        (expired,) = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE queue = ? AND lease_until_ms <= ?)",
            (queue, now_ms),
        ).fetchone()
        if expired:
            return True
        if count == 0:
            return False
        waited_ms = now_ms - oldest
        return bool(
            count >= settings.max_batch_size or waited_ms >= settings.max_batch_timeout * 1000
        )

    @staticmethod
    def _fail(
        conn: Any,
        queue: str,
        settings: ConsumerSettings,
        seq: int,
        deliveries: int,
        visible_at_ms: int,
        now_ms: int,
    ) -> set[str]:
        """A failed delivery: retry later, or dead-letter/drop after ``max_attempts``."""
        if deliveries < settings.max_attempts:
            conn.execute(
                "UPDATE messages SET lease_token = NULL, lease_until_ms = NULL, visible_at_ms = ?"
                " WHERE seq = ?",
                (visible_at_ms, seq),
            )
            _bump(conn, queue, "retried")
            return set()
        dlq = settings.dead_letter_queue
        if dlq:
            conn.execute(
                "INSERT INTO messages (queue, id, content_type, body, timestamp_ms, visible_at_ms)"
                " SELECT ?, id, content_type, body, timestamp_ms, ? FROM messages WHERE seq = ?",
                (dlq, now_ms, seq),
            )
            _bump(conn, queue, "dead_lettered")
            _bump(conn, dlq, "sent")
        else:
            _bump(conn, queue, "dropped")
        conn.execute("DELETE FROM messages WHERE seq = ?", (seq,))
        return {dlq} if dlq else set()

    def _notify(self, queue: str) -> None:
        self._listeners.notify(queue)
