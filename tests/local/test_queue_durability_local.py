"""Local queue broker: durability across restarts, leases after a kill, lost leases, serve()."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from quizhub.local.queues import (
    ConsumerSettings,
    LocalQueueBroker,
    LocalQueueConsumer,
    LocalQueueProducer,
)
from quizhub.ports import MessageBatch
from tests.fakes import FakeClock

from ._support import Recorder

Q = "q"
REPO = Path(__file__).resolve().parents[2]
IMMEDIATE = ConsumerSettings(max_batch_timeout=0)


def test_sent_messages_survive_reopening_the_broker(tmp_path: Path, clock: FakeClock) -> None:
    """A message is durable once send returns: a new broker on the file delivers it."""
    first = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock)
    producer = LocalQueueProducer(first, Q)
    asyncio.run(producer.send({"n": 1}))
    asyncio.run(producer.send_batch([{"body": {"n": 2}}, {"body": {"n": 3}}]))
    first.close()
    second = LocalQueueBroker(tmp_path / "q.sqlite", clock_ms=clock)
    try:
        rec = Recorder()
        assert asyncio.run(LocalQueueConsumer(second, Q, rec, settings=IMMEDIATE).drain()) == 3
        assert sorted(b["n"] for b in rec.bodies()) == [1, 2, 3]
    finally:
        second.close()


def test_unsettled_lease_comes_back_after_the_consumer_dies(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A batch leased by a process that died reappears after the lease, with attempts + 1."""
    path = tmp_path / "q.sqlite"
    dead = LocalQueueBroker(path, clock_ms=clock, lease_ms=30_000)
    asyncio.run(LocalQueueProducer(dead, Q).send("job"))
    lease = dead.lease(Q, clock.ms, settings=IMMEDIATE)
    assert lease is not None and lease.messages[0].attempts == 1
    dead.close()  # the process is gone; nothing was settled

    broker = LocalQueueBroker(path, clock_ms=clock, lease_ms=30_000)
    try:
        rec = Recorder()
        consumer = LocalQueueConsumer(broker, Q, rec, settings=IMMEDIATE)
        assert consumer.stats()["in_flight"] == 1
        clock.advance(29_999)
        assert asyncio.run(consumer.drain()) == 0
        clock.advance(1)
        assert asyncio.run(consumer.drain()) == 1
        assert rec.attempts_of("job") == [2]
        assert consumer.stats()["lease_expired"] == 1
    finally:
        broker.close()


def test_lease_expiries_count_toward_max_retries(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """A message whose consumer keeps dying is dead-lettered like one that keeps failing."""
    settings = ConsumerSettings(max_batch_timeout=0, max_retries=1, dead_letter_queue="dlq")
    asyncio.run(LocalQueueProducer(broker, Q).send("crashy"))
    first = broker.lease(Q, clock.ms, settings=settings, lease_ms=1_000)
    clock.advance(1_000)
    second = broker.lease(Q, clock.ms, settings=settings, lease_ms=1_000)
    assert first is not None and second is not None
    assert second.messages[0].attempts == 2
    clock.advance(1_000)
    assert broker.lease(Q, clock.ms, settings=settings, lease_ms=1_000) is None
    assert broker.stats(Q, dead_letter_queue="dlq")["dlq"] == 1


def test_settling_a_lost_lease_changes_nothing(broker: LocalQueueBroker, clock: FakeClock) -> None:
    """If a handler outlives its lease and the message is redelivered, its late settle is
    ignored."""
    late = Recorder()
    other = Recorder()
    second = LocalQueueConsumer(broker, Q, other, settings=IMMEDIATE, lease_ms=1_000)

    async def slow_handler(batch: MessageBatch) -> None:
        await late(batch)
        clock.advance(2_000)  # the lease (1 s) runs out while we work
        await second.step()  # another consumer gets the message and acks it
        batch.messages[0].retry()

    first = LocalQueueConsumer(broker, Q, slow_handler, settings=IMMEDIATE, lease_ms=1_000)
    asyncio.run(LocalQueueProducer(broker, Q).send("m"))
    asyncio.run(first.step())
    assert late.attempts_of("m") == [1] and other.attempts_of("m") == [2]
    stats = first.stats()
    assert (stats["ready"], stats["delayed"], stats["in_flight"], stats["acked"]) == (0, 0, 0, 1)


_KILLED_CONSUMER = textwrap.dedent(
    """
    import os, signal, sys
    from quizhub.local.queues import LocalQueueBroker
    from quizhub.local.queues import ConsumerSettings
    now = int(sys.argv[2])
    broker = LocalQueueBroker(sys.argv[1], clock_ms=lambda: now, lease_ms=60_000)
    lease = broker.lease("q", now, settings=ConsumerSettings(max_batch_timeout=0))
    print(len(lease.messages), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_messages_of_a_sigkilled_consumer_process_are_redelivered(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A real consumer process killed with SIGKILL mid-batch loses no message."""
    path = tmp_path / "q.sqlite"
    broker = LocalQueueBroker(path, clock_ms=clock)
    try:
        asyncio.run(LocalQueueProducer(broker, Q).send_batch([{"body": i} for i in range(5)]))
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        done = subprocess.run(
            [sys.executable, "-c", _KILLED_CONSUMER, str(path), str(clock.ms)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert done.stdout.strip() == "5"
        rec = Recorder()
        consumer = LocalQueueConsumer(broker, Q, rec, settings=IMMEDIATE)
        assert consumer.stats()["in_flight"] == 5
        clock.advance(60_000)
        assert asyncio.run(consumer.drain()) == 5
        assert sorted(rec.bodies()) == [0, 1, 2, 3, 4]
        assert {a for d in rec.deliveries for _, _, a in d.messages} == {2}
    finally:
        broker.close()


def test_many_messages_are_each_delivered_once_when_acked(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """A thousand sends, all acked: every body arrives exactly once."""
    producer = LocalQueueProducer(broker, Q)
    for start in range(0, 1_000, 100):
        asyncio.run(producer.send_batch([{"body": i} for i in range(start, start + 100)]))
    rec = Recorder()
    consumer = LocalQueueConsumer(broker, Q, rec, settings=ConsumerSettings(max_batch_size=100))
    assert asyncio.run(consumer.drain()) == 1_000
    assert sorted(rec.bodies()) == list(range(1_000))
    assert consumer.stats()["acked"] == 1_000


def test_stats_count_ready_in_flight_delayed_and_dlq(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """stats() reports where every message is."""
    settings = ConsumerSettings(max_batch_size=2, max_batch_timeout=0, dead_letter_queue="dlq")
    producer = LocalQueueProducer(broker, Q)
    asyncio.run(producer.send_batch([{"body": i} for i in range(3)]))
    asyncio.run(producer.send("later", delay_seconds=60))
    asyncio.run(LocalQueueProducer(broker, "dlq").send("dead"))
    broker.lease(Q, clock.ms, settings=settings)
    stats = broker.stats(Q, dead_letter_queue="dlq")
    assert (stats["ready"], stats["in_flight"], stats["delayed"], stats["dlq"]) == (1, 2, 1, 1)
    assert (stats["sent"], stats["delivered"]) == (4, 2)


def test_next_due_reports_when_a_partial_batch_is_due(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """next_due_ms tells the serve loop (or a test) when to step next."""
    rec = Recorder()
    consumer = LocalQueueConsumer(broker, Q, rec, settings=ConsumerSettings(max_batch_timeout=5))
    assert consumer.next_due_ms() is None
    start = clock.ms
    asyncio.run(LocalQueueProducer(broker, Q).send("m"))
    assert consumer.next_due_ms() == start + 5_000
    clock.advance(5_000)
    assert consumer.next_due_ms() == clock.ms


def test_broker_defaults_come_from_its_consumer_map(tmp_path: Path, clock: FakeClock) -> None:
    """A consumer without explicit settings uses the broker's settings for its queue."""
    settings = {Q: ConsumerSettings(max_batch_size=2, max_batch_timeout=0)}
    broker = LocalQueueBroker(tmp_path / "q.sqlite", settings, clock_ms=clock)
    try:
        rec = Recorder()
        consumer = LocalQueueConsumer(broker, Q, rec)
        assert consumer.settings == settings[Q]
        asyncio.run(LocalQueueProducer(broker, Q).send_batch([{"body": i} for i in range(3)]))
        asyncio.run(consumer.drain())
        assert [len(d.messages) for d in rec.deliveries] == [2, 1]
    finally:
        broker.close()


def test_serve_delivers_local_sends_and_stops(broker: LocalQueueBroker) -> None:
    """The dev-server loop wakes on a local send, delivers it, and exits when stopped."""

    async def scenario() -> list[object]:
        got: list[object] = []
        arrived = asyncio.Event()

        async def handler(batch: MessageBatch) -> None:
            got.extend(m.body for m in batch.messages)
            arrived.set()

        consumer = LocalQueueConsumer(broker, Q, handler, settings=IMMEDIATE)
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.serve(stop, poll_interval=30))
        await LocalQueueProducer(broker, Q).send({"hello": "세계"})
        await asyncio.wait_for(arrived.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        return got

    assert asyncio.run(scenario()) == [{"hello": "세계"}]
