"""Local queue broker: the message retention period (messages older than it are gone)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from quizhub.bindings import Settings
from quizhub.local.platform import build_platform
from quizhub.local.queues import (
    ConsumerSettings,
    LocalQueueBroker,
    LocalQueueConsumer,
    LocalQueueProducer,
)
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS
from tests.fakes import FakeClock

from ._support import Recorder

Q = "q"
HOUR_MS = 3_600_000


def _send(broker: LocalQueueBroker, body: object) -> None:
    asyncio.run(LocalQueueProducer(broker, Q).send(body))


def _consumer(broker: LocalQueueBroker, rec: Recorder) -> LocalQueueConsumer:
    return LocalQueueConsumer(broker, Q, rec, settings=ConsumerSettings(max_batch_timeout=0))


def test_a_message_older_than_the_retention_is_dropped_at_lease_and_counted_expired(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A message nobody consumed within the retention period is never delivered; the broker
    counts it as expired, and a younger neighbour is still delivered."""
    broker = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock, retention_seconds=3600)
    rec = Recorder()
    try:
        _send(broker, {"n": "old"})
        clock.advance(HOUR_MS - 1000)
        _send(broker, {"n": "young"})
        clock.advance(1000)  # "old" is exactly one retention period old now
        asyncio.run(_consumer(broker, rec).drain())
        assert rec.bodies() == [{"n": "young"}]
        stats = broker.stats(Q)
        assert (stats["expired"], stats["acked"], stats["ready"]) == (1, 1, 0)
    finally:
        broker.close()


def test_a_message_within_the_retention_is_delivered_however_late(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Days without a consumer are fine while the retention lasts: the message waits."""
    broker = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock, retention_seconds=4 * 86_400)
    rec = Recorder()
    try:
        _send(broker, {"n": 1})
        clock.advance(3 * 24 * HOUR_MS)
        asyncio.run(_consumer(broker, rec).drain())
        assert rec.bodies() == [{"n": 1}]
        assert broker.stats(Q)["expired"] == 0
    finally:
        broker.close()


def test_a_retried_message_expires_by_its_first_send_time(tmp_path: Path, clock: FakeClock) -> None:
    """Retention counts from the original send, not from the last retry."""
    broker = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock, retention_seconds=3600)
    rec = Recorder(policy=lambda batch: batch.retry_all(delay_seconds=2400))
    try:
        _send(broker, {"n": 1})
        consumer = _consumer(broker, rec)
        asyncio.run(consumer.drain())  # delivered once, retried in 40 min
        clock.advance(2400 * 1000)
        asyncio.run(consumer.drain())  # delivered again, retried: visible again after 1 h 20 min
        clock.advance(2400 * 1000)
        asyncio.run(consumer.drain())
        assert len(rec.bodies()) == 2
        assert broker.stats(Q)["expired"] == 1
    finally:
        broker.close()


def test_broker_rejects_a_non_positive_retention(tmp_path: Path, clock: FakeClock) -> None:
    """A retention of zero would drop every message: refused at construction."""
    with pytest.raises(ValueError, match="retention_seconds"):
        LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock, retention_seconds=0)


def test_the_platform_broker_keeps_messages_for_the_project_retention(
    tmp_path: Path, clock: FakeClock
) -> None:
    """``build_platform`` gives the broker ``QUEUE_RETENTION_SECONDS`` (one setting for the
    sweep, the job status and the broker), and the broker defaults to it too."""
    platform = build_platform(tmp_path / "p", Settings(admin_token="t"), clock_ms=clock)
    try:
        assert platform.broker.retention_ms == QUEUE_RETENTION_SECONDS * 1000
    finally:
        platform.close()
    broker = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock)
    try:
        assert broker.retention_ms == QUEUE_RETENTION_SECONDS * 1000
    finally:
        broker.close()
