"""The plan's subrequest limit, derived rather than assumed: each kind of message is run on the
local platform with every binding counted (D1, R2, KV, queues, the live channel, Vectorize,
Workers AI, Images, the purge, and every read of an R2 source: on Cloudflare each is a fresh
R2 ``get`` streamed into the Images binding), and each consumer's worst invocation — its batch
size times the most calls one of its messages makes — must stay under the required plan's
limit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.preconditions import Precondition
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.platform import ROOT, LocalPlatform
from quizhub.local.queues import LocalQueueProducer, load_consumer_settings
from quizhub.pipeline.accept import accept_delete, accept_image, accept_save
from quizhub.pipeline.names import DEAD_LETTER_QUEUE, IMAGE_DLQ, IMAGE_QUEUE, SAVE_QUEUE
from quizhub.ports.limits import FREE, REQUIRED_PLAN
from quizhub.search.indexing import INDEX_DLQ, INDEX_QUEUE
from quizhub.store.jobs import JobsRepo
from tests.conftest import sample_doc
from tests.fakes import FakeClock, make_platform, run, sent
from tests.imagefiles import phone_photo

# Bindings fields that are not ports (nothing to count).
_NOT_PORTS = {"settings", "clock_ms", "revs", "rate_limits", "access"}


@dataclass
class CountingPlan(FaultPlan):
    """A plan without faults that also keeps the name of every call (``bucket.source.read``)."""

    names: list[str] = field(default_factory=list)

    async def around(self, name: str, call: Any) -> Any:
        self.names.append(name)
        return await super().around(name, call)


@pytest.fixture
def counted(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[LocalPlatform, CountingPlan]]:
    plan = CountingPlan()
    holder: dict[str, CountingPlan] = {}

    def wrap(b: Bindings) -> Bindings:
        ports = tuple(
            f.name for f in fields(b) if f.name not in _NOT_PORTS and getattr(b, f.name) is not None
        )
        counted_plan = replace(plan, targets=ports)
        holder["plan"] = counted_plan
        return with_faults(b, counted_plan)

    platform = make_platform(tmp_path, clock, wrap=wrap)
    yield platform, holder["plan"]
    platform.close()


def _calls_of_one(platform: LocalPlatform, plan: FaultPlan, queue: str) -> int:
    """Binding calls made while ``queue``'s consumer handles what is due (one message)."""
    [consumer] = [c for c in platform.consumers if c.queue_name == queue]
    before = plan.calls
    due = consumer.clock_ms() + int(consumer.settings.max_batch_timeout * 1000)
    run(consumer.step(now_ms=due))  # a partial batch is delivered once its timeout passed
    return plan.calls - before


def _big_doc() -> dict[str, Any]:
    """A document large enough to travel by claim check (R2) instead of inline."""
    doc = sample_doc("큰 테스트")
    doc["description"] = "긴 설명 " * 300
    first = doc["questions"][0]
    options = [{**o, "text": "선택지" * 150} for o in first["options"]]
    doc["questions"] = [
        {**first, "id": f"q{i}", "text": "질문" * 200, "options": options} for i in range(100)
    ]
    return doc


def test_every_consumer_invocation_stays_under_the_required_plans_subrequests(
    counted: tuple[LocalPlatform, CountingPlan],
) -> None:
    """Measured per message: a save (inline and claim-checked), a delete, an image, and an
    index batch; the worst invocation of each queue is batch size × its costliest message (an
    image job's queue delivers one at a time)."""
    platform, plan = counted
    b = platform.bindings
    per_message: dict[str, int] = {}
    run(accept_save(b, "small", sample_doc(), Precondition()))
    per_message["save-test"] = _calls_of_one(platform, plan, SAVE_QUEUE)
    big = run(accept_save(b, "big", _big_doc(), Precondition()))
    per_message["save-test (claim check)"] = _calls_of_one(platform, plan, SAVE_QUEUE)
    row = run(JobsRepo(b.db).get(big.job_id))
    assert row is not None and row.body_ref is not None  # it really went by claim check
    run(accept_delete(b, "small", Precondition()))
    per_message["delete-test"] = _calls_of_one(platform, plan, SAVE_QUEUE)
    run(accept_image(b, phone_photo(1600, 1200, orientation=6), "big"))
    first_image_call = len(plan.names)
    per_image = _calls_of_one(platform, plan, IMAGE_QUEUE)
    image_calls = Counter(plan.names[first_image_call:])
    # Three index requests (small saved, big saved, small deleted) for two tests: one batch.
    per_index = _calls_of_one(platform, plan, INDEX_QUEUE)
    dead = run(accept_save(b, "dead", sample_doc(), Precondition()))
    message = sent(b)[-1]
    assert message["jobId"] == dead.job_id
    run(LocalQueueProducer(platform.broker, DEAD_LETTER_QUEUE).send(message))
    per_dead_letter = _calls_of_one(platform, plan, DEAD_LETTER_QUEUE)
    assert all(n > 0 for n in [*per_message.values(), per_image, per_index, per_dead_letter]), (
        per_message,
        per_image,
        per_index,
        per_dead_letter,
    )
    # The original streams from R2 into the Images binding once per call on it: a head for its
    # source, then one R2 get for the header and one per variant (6), none by the steps.
    assert image_calls["bucket.source"] == 1, image_calls
    assert image_calls["images.transform"] == 6, image_calls
    assert image_calls["bucket.source.read"] == 1 + image_calls["images.transform"], image_calls
    assert image_calls["bucket.get"] == 0, image_calls
    # The image job is the costliest message (a variant is several calls).
    assert per_image > max(per_message.values()), (per_image, per_message)

    settings = load_consumer_settings(ROOT / "wrangler.consumer.toml")
    assert settings[IMAGE_QUEUE].max_batch_size == settings[IMAGE_DLQ].max_batch_size == 1
    # An index batch: a pointer query, an R2 read per test, one embed, one upsert, one removal.
    assert per_index <= 2 + 4, per_index
    worst = {
        SAVE_QUEUE: settings[SAVE_QUEUE].max_batch_size * max(per_message.values()),
        DEAD_LETTER_QUEUE: settings[DEAD_LETTER_QUEUE].max_batch_size * per_dead_letter,
        IMAGE_QUEUE: settings[IMAGE_QUEUE].max_batch_size * per_image,
        IMAGE_DLQ: settings[IMAGE_DLQ].max_batch_size * per_dead_letter,
        INDEX_QUEUE: settings[INDEX_QUEUE].max_batch_size + 4,
        INDEX_DLQ: settings[INDEX_DLQ].max_batch_size + 4,
    }
    assert all(n <= REQUIRED_PLAN.subrequests for n in worst.values()), worst
    # Why Free is not enough: a full batch of saves is far past its limit (one image job, alone
    # in its invocation, comes close to it).
    assert worst[SAVE_QUEUE] > FREE.subrequests, worst
