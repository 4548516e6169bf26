"""Image jobs through the real queue: transient faults of the Images binding are retried with
backoff and then dead-lettered (failed, with the last error), a transient fault after some
variants were stored resumes where it stopped, and an unbound binding fails at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from quizhub.bindings import Bindings
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.accept import accept_image
from quizhub.ports import ImageTransformer
from quizhub.store.images import ImagesRepo
from quizhub.store.jobs import JobsRepo
from tests.fakes import FakeClock, FlakyWrap, make_platform, run
from tests.imagefiles import phone_photo

SETTLE_STEPS = 10_000


def _settle(platform: LocalPlatform, clock: FakeClock) -> None:
    """Deliver, and jump the clock to each retry until nothing is due; fails (instead of
    hanging) when messages are still due after ``SETTLE_STEPS`` jumps."""

    async def loop() -> None:
        for _ in range(SETTLE_STEPS):
            await platform.drain()
            due = platform.next_due_ms()
            if due is None:
                return
            clock.ms = max(clock.ms + 1, due)
        raise AssertionError(
            f"the queue did not settle in {SETTLE_STEPS} deliveries: a message is still due at"
            f" {platform.next_due_ms()} ms (clock {clock.ms} ms)"
        )

    run(loop())


def test_an_images_outage_is_retried_then_dead_lettered_failed(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Every delivery meets a binding fault: retried with backoff, then the DLQ fails the job
    with the last error; nothing was recorded, the URL keeps its placeholder."""
    broken = FlakyWrap("images", "info", failures=1_000)
    platform = make_platform(tmp_path, clock, wrap=broken)
    try:
        upload = run(accept_image(platform.bindings, phone_photo(200, 100)))
        _settle(platform, clock)
        job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
        assert job is not None and job.status == "failed" and job.kind == "image"
        assert job.attempts == platform.bindings.settings.max_retries + 1
        assert "gave up" in (job.error or "") and "injected info failure" in (job.error or "")
        assert run(ImagesRepo(platform.raw.db).variants(upload.key)) == []
    finally:
        platform.close()


class ThirdVariantFailsTwice:
    """The Images binding, except that its third and fourth transform calls fail: the third
    variant fails, and so does its in-place second try."""

    def __init__(self, inner: ImageTransformer) -> None:
        self.inner = inner
        self.transforms = 0

    async def info(self, data: bytes) -> dict[str, Any]:
        return await self.inner.info(data)

    async def transform(
        self, data: bytes, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes:
        self.transforms += 1
        if self.transforms in (3, 4):
            raise ConnectionError("images service unavailable")
        return await self.inner.transform(data, transform, output)


def test_a_fault_midway_resumes_without_remaking_stored_variants(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A variant that fails twice after two variants were stored: the delivery is retried, the
    retry reuses the stored ones (none is made twice) and the job succeeds on its second
    delivery."""
    images: list[ThirdVariantFailsTwice] = []

    def midway(b: Bindings) -> Bindings:
        assert b.images is not None
        images.append(ThirdVariantFailsTwice(b.images))
        return replace(b, images=images[0])

    platform = make_platform(tmp_path, clock, wrap=midway)
    try:
        upload = run(accept_image(platform.bindings, phone_photo(900, 600, orientation=1)))
        _settle(platform, clock)
        job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
        assert job is not None and job.status == "succeeded" and job.attempts == 2
        assert len(run(ImagesRepo(platform.raw.db).variants(upload.key))) == 6
        assert images[0].transforms == 8  # 6 variants + the 2 failed calls; none made twice
    finally:
        platform.close()


def test_without_an_images_binding_the_job_fails_at_once(tmp_path: Path, clock: FakeClock) -> None:
    """An unbound IMAGES is a permanent failure that says so (one attempt, no retries)."""
    platform = make_platform(tmp_path, clock, wrap=lambda b: replace(b, images=None))
    try:
        upload = run(accept_image(platform.bindings, phone_photo(200, 100)))
        _settle(platform, clock)
        job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
        assert job is not None and job.status == "failed" and job.attempts == 1
        assert "IMAGES binding is unbound" in (job.error or "")
    finally:
        platform.close()
