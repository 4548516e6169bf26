"""Scorecard rows 6 (10k messages through the broker) and 9 (body sizes through HTTP)."""

from __future__ import annotations

import random
from typing import Any

import httpx2

from quizhub.local.queues import LocalQueueConsumer, LocalQueueProducer
from quizhub.pipeline.names import DEAD_LETTER_QUEUE, SAVE_QUEUE
from reliability.rig import TOKEN, Rig, document
from reliability.rows import Row, _tmp

__all__ = ["row6_broker", "row9_sizes"]


class _Killed(BaseException):
    """Raised out of a handler to model a consumer process dying mid-batch (nothing settles)."""


async def row6_broker(messages: int, seed: int = 13) -> Row:
    """Jepsen-style total-queue check: every sent message is acked or dead-lettered exactly as
    sent."""
    rng = random.Random(seed)
    rig = Rig(_tmp(), "queue")
    broker, clock = rig.platform.broker, rig.clock
    producer = LocalQueueProducer(broker, SAVE_QUEUE)
    sent = set(range(messages))
    for start in range(0, messages, 100):
        await producer.send_batch(
            [{"body": {"n": n}} for n in range(start, min(start + 100, messages))]
        )
    received: dict[int, int] = {}
    acked: set[int] = set()
    dead: set[int] = set()
    unexpected = kills = throws = 0

    async def on_save(batch: Any) -> None:
        nonlocal throws, kills
        for m in batch.messages:
            received[m.body["n"]] = received.get(m.body["n"], 0) + 1
        roll = rng.random()
        if roll < 0.02:
            kills += 1
            raise _Killed()
        left = []
        for m in batch.messages:
            r = rng.random()
            if m.body["n"] % 500 == 7:  # a message no consumer can ever handle: must dead-letter
                m.retry()
            elif r < 0.75:
                m.ack()
                acked.add(m.body["n"])
            elif r < 0.85:
                m.retry(delay_seconds=rng.randint(0, 5))
            else:
                left.append(m.body["n"])
        if roll < 0.07:
            throws += 1
            raise RuntimeError("handler threw")  # unsettled messages retry; explicit acks stand
        acked.update(left)  # returning normally acks every message not settled explicitly

    async def on_dead(batch: Any) -> None:
        for m in batch.messages:
            dead.add(m.body["n"])
            m.ack()

    consumers = [
        LocalQueueConsumer(broker, SAVE_QUEUE, on_save),
        LocalQueueConsumer(broker, DEAD_LETTER_QUEUE, on_dead),
    ]
    while True:
        progressed = 0
        for c in consumers:
            try:
                progressed += await c.step()
            except _Killed:
                progressed += 1  # the lease stays; the messages come back after it expires
        if progressed:
            continue
        dues = [d for d in (c.next_due_ms() for c in consumers) if d is not None]
        if not dues:
            break
        clock.ms = max(clock.ms + 1, min(dues))
    rig.close()
    # A message acked while its batch later threw or was killed counts as acked (explicit acks stand
    # in production; killed batches lose theirs, so those are redelivered and acked again later).
    unexpected = len(set(received) - sent)
    lost = len(sent - acked - dead)
    dupes = sum(c - 1 for c in received.values())
    hopeless = {n for n in sent if n % 500 == 7}
    ok = lost == 0 and unexpected == 0 and hopeless <= dead
    return Row(
        "6",
        f"{messages:,} messages through the local broker with throws/kills",
        f"lost {lost}, unexpected {unexpected}, duplicates {dupes:,}, dead-lettered {len(dead)} "
        f"({throws} throws, {kills} kills)",
        "lost = 0, unexpected = 0; duplicates counted",
        ok,
    )


async def row9_sizes(mode: str) -> Row:
    """Bodies from 0 B to 1 MiB through the real HTTP app: valid ones succeed, over-limit → 413."""
    rig = Rig(_tmp(), mode)
    app = rig.platform.app()
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bad: list[str] = []
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://rel"
    ) as client:
        r = await client.put("/api/admin/tests/empty", content=b"", headers=auth)
        if r.status_code != 422:
            bad.append(f"0 B → {r.status_code}")
        for target in (200, 10_000, 119_000, 121_000, 500_000, 1_040_000):
            body = _body_of_size(target)
            r = await client.put(f"/api/admin/tests/s{target}", content=body, headers=auth)
            if r.status_code != 202:
                bad.append(f"{len(body)} B → {r.status_code}")
        over = _body_of_size(1_060_000)
        r = await client.put("/api/admin/tests/over", content=over, headers=auth)
        if r.status_code != 413:
            bad.append(f"{len(over)} B → {r.status_code}")
    await rig.settle()
    inv = await invariants_ok(rig)
    biggest = max(len(_json(b).encode()) for b in rig.sent)
    rig.close()
    ok = not bad and inv and biggest < 120_000
    return Row(
        "9",
        "bodies 0 B … 1 MiB and over the limit",
        f"0 B → 422, 200 B…1.04 MB → 202, 1.06 MB → 413: {'; '.join(bad) or 'all as expected'}; "
        f"largest queue message {biggest:,} B; every valid save succeeded: {inv}",
        "valid succeed; over-limit → 413; no message > 120,000 B",
        ok,
    )


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _body_of_size(target: int) -> bytes:
    """A valid document padded (question and option texts) to about ``target`` bytes of JSON."""
    doc = document("크기 점검")
    questions: list[dict[str, Any]] = []
    doc["questions"] = questions
    raw = _json(doc).encode()
    while not questions or (len(raw) < target and len(questions) < 100):
        room = (target - len(raw)) // 3  # Hangul is 3 bytes in UTF-8
        n_options = max(2, min(10, room // 520))
        text = "가" * max(1, min(500, room // (n_options + 1) - 40))
        options = [
            {"id": f"o{i}", "text": text, "scores": {"planner" if i % 2 else "free": 1}}
            for i in range(n_options)
        ]
        questions.append(
            {"id": f"q{len(questions)}", "text": text, "image": None, "options": options}
        )
        raw = _json(doc).encode()
    return raw


async def invariants_ok(rig: Rig) -> bool:
    for acc_body in rig.sent:
        row = await rig.job(acc_body["jobId"])
        if not row or row.status != "succeeded":
            return False
    return True
