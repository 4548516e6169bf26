"""Image jobs through the real queue: they travel on the image queue of their own, one per
delivery, in queue and in workflow mode; the original reaches the Images binding as its R2
source (the steps never read its bytes); transient faults of the Images binding are retried
with backoff and then dead-lettered (failed, with the last error), a transient fault after some
variants were stored resumes where it stopped, and an unbound binding fails at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings, SaveMode
from quizhub.domain.preconditions import Precondition
from quizhub.local.images import PillowImages
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.accept import accept_image, accept_reprocess_images, accept_save
from quizhub.pipeline.names import IMAGE_DLQ, IMAGE_QUEUE, SAVE_QUEUE
from quizhub.ports import ImageInput, ImageTransformer, R2Bucket
from quizhub.store.images import ImagesRepo
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import image_staging_key
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap, make_platform, run, sent
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


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_image_jobs_travel_on_their_own_queue_one_per_delivery(
    tmp_path: Path, clock: FakeClock, mode: SaveMode
) -> None:
    """Uploads and the reprocessing go to the image queue, saves to the save queue; the image
    queue's consumer takes one message per batch (max_batch_size = 1), and in workflow mode the
    delivery from the image queue starts the upload's Workflow instance."""
    platform = make_platform(tmp_path, clock, mode=mode)
    try:
        b = platform.bindings
        uploads = [run(accept_image(b, phone_photo(120 + i, 90))) for i in range(3)]
        run(accept_reprocess_images(b))
        run(accept_save(b, "travel", sample_doc(), Precondition()))
        assert [m["type"] for m in sent(b, IMAGE_QUEUE)] == ["process-image"] * 3 + [
            "reprocess-images"
        ]
        assert [m["type"] for m in sent(b)] == ["save-test"]
        [images] = [c for c in platform.consumers if c.queue_name == IMAGE_QUEUE]
        assert images.settings.max_batch_size == 1
        assert [run(images.step()) for _ in range(5)] == [1, 1, 1, 1, 0]
        assert platform.broker.stats(SAVE_QUEUE)["delivered"] == 0  # no image job went there
        run(platform.drain())
        for upload in uploads:
            job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
            assert job is not None and job.status == "succeeded", job
            if mode == "workflow":
                assert b.workflow is not None
                instance = run(b.workflow.get(upload.accepted.job_id))
                assert run(instance.status())["status"] == "complete"
    finally:
        platform.close()


class Recorded:
    """The Images binding and the bucket, recording what the Images binding was given and
    which keys were read with ``get``."""

    def __init__(self, images: ImageTransformer, bucket: R2Bucket) -> None:
        self.images, self.bucket = images, bucket
        self.inputs: list[tuple[str, str]] = []  # (call, what it was given)
        self.gets: list[str] = []

    def wrap(self, b: Bindings) -> Bindings:
        outer = self

        class Images:
            async def info(self, image: ImageInput) -> dict[str, Any]:
                outer.inputs.append(("info", _given(image)))
                return await outer.images.info(image)

            async def transform(
                self, image: ImageInput, transform: dict[str, Any], output: dict[str, Any]
            ) -> bytes:
                outer.inputs.append(("transform", _given(image)))
                return await outer.images.transform(image, transform, output)

        class Bucket:
            def __getattr__(self, name: str) -> Any:
                return getattr(outer.bucket, name)

            async def get(self, key: str, **options: Any) -> Any:
                outer.gets.append(key)
                return await outer.bucket.get(key, **options)

        return replace(b, images=Images(), bucket=Bucket())


def _given(image: ImageInput) -> str:
    return "bytes" if isinstance(image, bytes) else f"source {image.key} ({image.size} bytes)"


def test_the_steps_hand_the_original_to_the_images_binding_as_its_r2_source(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Every Images call on the original gets its R2 source (the binding reads it, once per
    call); the steps themselves never ``get`` it. Only the variants they made (small) reach the
    binding as bytes, to read their real size."""
    recorded: list[Recorded] = []

    def wrap(b: Bindings) -> Bindings:
        assert b.images is not None
        recorded.append(Recorded(b.images, b.bucket))
        return recorded[0].wrap(b)

    platform = make_platform(tmp_path, clock, wrap=wrap)
    try:
        photo = phone_photo(900, 600, orientation=1)
        upload = run(accept_image(platform.bindings, photo))
        run(platform.drain())
        job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
        assert job is not None and job.status == "succeeded", job
        source = f"source {image_staging_key(upload.key)} ({len(photo)} bytes)"
        calls = recorded[0].inputs
        assert calls[0] == ("info", source)  # decode: the header, from the stored original
        assert calls[1::2] == [("transform", source)] * 6  # each variant, from the original
        assert calls[2::2] == [("info", "bytes")] * 6  # each variant's own header
        assert image_staging_key(upload.key) not in recorded[0].gets
        stored = platform.raw.db.prepare("SELECT size FROM images WHERE image_key = ?")
        size = run(stored.bind(upload.key).first("size"))
        assert size == len(photo)  # the original's size comes from its source, not a read
    finally:
        platform.close()


def test_the_local_images_binding_lets_a_jobs_pixels_go_with_the_job(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Pillow keeps the decoded original between a job's variants, and not after it: a server
    that processed a large image does not hold its pixels."""
    platform = make_platform(tmp_path, clock)
    try:
        images = platform.raw.images
        assert isinstance(images, PillowImages)
        upload = run(accept_image(platform.bindings, phone_photo(900, 600, orientation=1)))
        run(platform.drain())
        job = run(JobsRepo(platform.raw.db).get(upload.accepted.job_id))
        assert job is not None and job.status == "succeeded", job
        assert not images.holds_pixels

        async def held_while_the_source_is() -> tuple[bool, bool]:
            source = await platform.raw.bucket.source("kept/photo.jpg")
            assert source is not None
            options = {"width": 320, "fit": "scale-down", "metadata": "none"}
            await images.transform(source, options, {"format": "image/webp"})
            held = images.holds_pixels
            del source
            return held, images.holds_pixels

        run(platform.raw.bucket.put("kept/photo.jpg", phone_photo(640, 480)))
        assert run(held_while_the_source_is()) == (True, False)
    finally:
        platform.close()


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
        assert job.error_code == "gave_up" and job.error_params is not None
        last = job.error_params["cause"]
        assert last["code"] == "attempt_failed"
        assert last["params"]["cause"] == {
            "code": "binding_error",
            "params": {"error": "ConnectionError"},
        }
        assert run(ImagesRepo(platform.raw.db).variants(upload.key)) == []
        assert platform.broker.stats(IMAGE_QUEUE)["dead_lettered"] == 1  # via the image DLQ
        assert platform.broker.stats(IMAGE_DLQ)["acked"] == 1
    finally:
        platform.close()


class ThirdVariantFailsTwice:
    """The Images binding, except that its third and fourth transform calls fail: the third
    variant fails, and so does its in-place second try."""

    def __init__(self, inner: ImageTransformer) -> None:
        self.inner = inner
        self.transforms = 0

    async def info(self, image: ImageInput) -> dict[str, Any]:
        return await self.inner.info(image)

    async def transform(
        self, image: ImageInput, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes:
        self.transforms += 1
        if self.transforms in (3, 4):
            raise ConnectionError("images service unavailable")
        return await self.inner.transform(image, transform, output)


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
        assert (job.error_code, job.error_params) == ("images_unbound", {})
    finally:
        platform.close()
