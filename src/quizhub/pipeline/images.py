"""The image job's steps as plain functions (their order, progress records and notices are
``quizhub.pipeline.sequences``'). Each is idempotent, so any may run again after a crash or
redelivery.

Order: decode (read the header: format, size, pixel limit) → variants (WebP and the original's
format at each width, metadata stripped, stored create-only under immutable keys) → record (the
image and its variants in D1, one batch with the job's commit) → purge (cached placeholders) →
finish (job succeeded, the private original deleted). The original is read from its private
key (the upload's claim check, or an upload stored before this pipeline) and never served.

The steps never hold the original's bytes: they pass its ``R2Source`` to the Images binding,
which reads it itself (on Cloudflare a stream straight from R2, so a 5 MB photo never enters
Python; docs/images.md#memory). Only the variants, a few hundred KB, are read here (to check
them for metadata and store them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.domain.ids import is_image_key
from quizhub.domain.images import (
    MAX_PIXELS,
    ImageFormat,
    Variant,
    format_of_ext,
    format_of_media_type,
    metadata_found,
    too_many_pixels,
    variant_formats,
    variant_widths,
)
from quizhub.domain.jobs import JobError
from quizhub.domain.wire import iso_ms
from quizhub.edge.cdn import IMAGE_CACHE_CONTROL, image_tags, image_urls
from quizhub.errors import Code, Permanent
from quizhub.ports import D1Database, ImageTransformer, Purger, R2Bucket, R2Object, R2Source
from quizhub.store.images import ImageFacts, ImagesRepo
from quizhub.store.keys import LEGACY_IMAGE_PREFIX, image_variant_key, legacy_image_key

__all__ = [
    "ImagePorts",
    "ImageWork",
    "load_original",
    "decode",
    "make_variants",
    "make_variant",
    "variant_plan",
    "record",
    "purge",
    "release_original",
    "process",
    "reprocess_stored",
    "variant_to_step",
    "variant_from_step",
    "work_of",
]

log = logging.getLogger("quizhub.pipeline")


@dataclass(frozen=True)
class ImageWork:
    """One image to process: the job doing it, the image's key and where its original is."""

    job_id: str
    image_key: str
    source: str
    own_job: bool = True  # False inside the reprocessing of every stored original


@dataclass(frozen=True)
class ImagePorts:
    """What the image steps use, and nothing else: the bucket holding originals and variants,
    the Images binding (present: ``of`` checks it once), D1 for the record, the purger for the
    cached placeholders, the public origin their URLs are on, and the clock."""

    bucket: R2Bucket
    images: ImageTransformer
    db: D1Database
    purger: Purger
    origin: str
    clock_ms: Callable[[], int]

    @classmethod
    def of(cls, b: Bindings) -> ImagePorts:
        """The image ports of a platform; Permanent where the Images binding is unbound (the
        job fails with that reason; the upload itself was accepted)."""
        if b.images is None:
            message = "image processing is not available here (the IMAGES binding is unbound)"
            raise Permanent(message, code=Code.IMAGES_UNBOUND)
        origin = b.settings.public_origin
        return cls(b.bucket, b.images, b.db, b.purger, origin, b.clock_ms)


async def load_original(bucket: R2Bucket, work: ImageWork) -> R2Source:
    """The original at its private key, its body unread (Permanent when it is gone)."""
    original = await bucket.source(work.source)
    if original is None:
        raise Permanent(
            f"the original of image {work.image_key} is missing ({work.source})",
            code=Code.ORIGINAL_MISSING,
            params={"imageKey": work.image_key},
        )
    return original


async def decode(images: ImageTransformer, work: ImageWork, original: R2Source) -> ImageFacts:
    """Read the header only: an accepted format, and no more than ``MAX_PIXELS`` pixels (a
    decompression bomb fails here, permanently, before any pixel is decoded)."""
    info = await images.info(original)
    fmt = format_of_media_type(str(info.get("format")))
    expected = work.image_key.rsplit(".", 1)[1]
    if fmt is None or fmt.ext != expected:
        found = info.get("format")
        raise Permanent(
            f"the original is {found}, not the image its key names",
            code=Code.IMAGE_FORMAT_MISMATCH,
            params={"format": None if found is None else str(found), "expected": expected},
        )
    width, height = int(info.get("width") or 0), int(info.get("height") or 0)
    if width <= 0 or height <= 0:
        raise Permanent("the image has no pixels", code=Code.IMAGE_EMPTY)
    if width * height > MAX_PIXELS:
        raise too_many_pixels(width, height)
    return ImageFacts(fmt.ext, width, height, original.size)


async def make_variants(
    ports: ImagePorts, work: ImageWork, facts: ImageFacts, original: R2Source
) -> list[Variant]:
    """Every variant, stored once under ``variants/{key}/{w}w.{ext}`` (``w`` = the width asked
    for; the real size is in its metadata: an upright photo can be narrower than its header
    says). A variant already stored (an earlier delivery) is reused, so a retry goes on where
    the last one stopped, and the put is create-only: repeats never write a second copy."""
    made: list[Variant] = []
    for fmt, width in variant_plan(facts):
        variant = await make_variant(ports, work, original, fmt, width, made)
        if variant is not None:
            made.append(variant)
    return made


def variant_plan(facts: ImageFacts) -> list[tuple[ImageFormat, int]]:
    """(format, width asked for) of every variant to make, in order."""
    return [
        (fmt, width)
        for fmt in variant_formats(format_of_ext(facts.ext))
        for width in variant_widths(facts.width)
    ]


async def make_variant(
    ports: ImagePorts,
    work: ImageWork,
    original: R2Source,
    fmt: ImageFormat,
    width: int,
    made: list[Variant],
) -> Variant | None:
    """One variant of the plan, stored once; None when it would be as wide as one already
    ``made`` in its format (an image narrower than two of the widths asked for)."""
    widths = {v.width for v in made if v.ext == fmt.ext}
    key = image_variant_key(work.image_key, width, fmt.ext)
    stored = await _variant(ports, work, original, width, fmt, key, widths)
    if stored is None:
        return None
    real_width = int(stored.custom_metadata.get("width", width))
    if real_width in widths:
        return None
    height = int(stored.custom_metadata.get("height", "0"))
    return Variant(real_width, height, fmt.ext, key, stored.size)


# Tries per variant within one delivery: a variant takes five binding calls (a head, the read of
# the original, transform, info, put), an image up to 30, so one blip would otherwise cost the
# whole delivery a retry with backoff. Each try is
# repeat-safe (the put is create-only); a Permanent error is never tried again.
VARIANT_TRIES = 2


async def _variant(
    ports: ImagePorts,
    work: ImageWork,
    original: R2Source,
    width: int,
    fmt: ImageFormat,
    key: str,
    widths: set[int],
) -> R2Object | None:
    """The stored variant at ``key`` (made now unless an earlier delivery stored it)."""
    for attempt in range(1, VARIANT_TRIES + 1):
        try:
            stored = await ports.bucket.head(key)
            if stored is None:
                stored = await _store_variant(ports, work, original, width, fmt, key, widths)
            return stored
        except Permanent:
            raise
        except Exception as exc:  # noqa: BLE001 - a binding blip: once more, then the queue's retry
            if attempt == VARIANT_TRIES:
                raise
            log.warning("variant %s failed (attempt %d), trying again: %r", key, attempt, exc)
    raise AssertionError("unreachable")


async def _store_variant(
    ports: ImagePorts,
    work: ImageWork,
    original: R2Source,
    width: int,
    fmt: ImageFormat,
    key: str,
    widths: set[int],
) -> R2Object | None:
    """Make one variant and store it create-only; None when its real width is already made."""
    images = ports.images
    encoded = await images.transform(
        original,
        {"width": width, "fit": "scale-down", "metadata": "none"},
        {"format": fmt.media_type, "quality": fmt.quality, "anim": False},
    )
    if leaked := metadata_found(encoded):
        raise Permanent(
            f"the {width} px {fmt.name} variant still carries {', '.join(leaked)}: not stored",
            code=Code.VARIANT_KEEPS_METADATA,
            params={"width": width, "format": fmt.name},
        )
    out = await images.info(encoded)
    real_width, height = int(out["width"]), int(out["height"])
    if real_width in widths:
        return None
    stored = await ports.bucket.put(
        key,
        encoded,
        http_metadata={"contentType": fmt.media_type, "cacheControl": IMAGE_CACHE_CONTROL},
        custom_metadata={"width": str(real_width), "height": str(height)},
        only_if={"etag_does_not_match": "*"},
    )
    if stored is None:  # a concurrent delivery stored it first: that one is the variant
        stored = await ports.bucket.head(key)
    if stored is None:
        raise RuntimeError(f"variant {key} was written but cannot be read back")
    return stored


async def record(
    db: D1Database, work: ImageWork, facts: ImageFacts, variants: list[Variant], now: str
) -> None:
    """The image and its variants in D1 (one batch, with the job's commit when it owns one)."""
    await ImagesRepo(db).record(
        work.job_id, work.image_key, facts, variants, now, commit=work.own_job
    )


async def purge(purger: Purger, origin: str, work: ImageWork) -> None:
    """Drop cached answers of the image's URLs (placeholders served before the variants were
    there); the job is live after it."""
    await purger.purge(tags=image_tags(work.image_key), urls=image_urls(origin, work.image_key))


async def release_original(bucket: R2Bucket, work: ImageWork) -> None:
    """Delete the private original once its variants are recorded (it holds the EXIF)."""
    await bucket.delete(work.source)


async def process(ports: ImagePorts, work: ImageWork) -> None:
    """decode → variants → record, for an image not yet recorded by this job."""
    original = await load_original(ports.bucket, work)
    facts = await decode(ports.images, work, original)
    variants = await make_variants(ports, work, facts, original)
    await record(ports.db, work, facts, variants, iso_ms(ports.clock_ms()))


async def reprocess_stored(ports: ImagePorts, job_id: str) -> JobError | None:
    """Turn every original stored before this pipeline (``images/{key}``, EXIF and all) into
    variants, then delete it. Images that cannot be processed (permanently) are skipped and
    named in the returned warning; a binding fault raises (the job is retried, and images
    already done are not listed any more: their originals are gone)."""
    keys = await _stored_originals(ports.bucket)
    failed: list[str] = []
    failed_keys: list[str] = []
    for key in keys:
        work = ImageWork(job_id, key, legacy_image_key(key), own_job=False)
        try:
            await process(ports, work)
            await purge(ports.purger, ports.origin, work)
            await release_original(ports.bucket, work)
        except Permanent as exc:
            log.warning("reprocessing image %s failed: %s", key, exc.message)
            failed.append(f"{key}: {exc.message}")
            failed_keys.append(key)
    if not keys:
        message = "no images stored before variants existed: nothing to reprocess"
        return JobError(Code.NOTHING_TO_REPROCESS, message)
    if failed:
        shown = "; ".join(failed[:_SHOWN])[:800]
        return JobError(
            Code.IMAGES_NOT_PROCESSED,
            f"{len(failed)} of {len(keys)} stored images could not be processed: {shown}",
            {"failed": len(failed), "total": len(keys), "keys": failed_keys[:_SHOWN]},
        )
    return None


_SHOWN = 5  # the failed images a warning names


async def _stored_originals(bucket: R2Bucket) -> list[str]:
    """Keys of every original under the legacy prefix (listed first: processing deletes)."""
    keys: list[str] = []
    cursor = None
    while True:
        page = await bucket.list(prefix=LEGACY_IMAGE_PREFIX, cursor=cursor, limit=1000)
        names = (o.key[len(LEGACY_IMAGE_PREFIX) :] for o in page.objects)
        keys += [k for k in names if is_image_key(k)]
        if not page.truncated or not page.cursor:
            return keys
        cursor = page.cursor


def variant_to_step(v: Variant) -> dict[str, object]:
    """A variant as a workflow step result (JSON)."""
    return {"width": v.width, "height": v.height, "ext": v.ext, "key": v.object_key, "size": v.size}


def variant_from_step(raw: dict[str, object]) -> Variant:
    """The inverse of ``variant_to_step``."""
    return Variant(
        int(str(raw["width"])),
        int(str(raw["height"])),
        str(raw["ext"]),
        str(raw["key"]),
        int(str(raw["size"])),
    )


def work_of(job_id: str, image_key: str | None, source: str | None) -> ImageWork:
    """The work of a process-image message (its parser checked key and source)."""
    if image_key is None or source is None:
        raise Permanent("an image job names no image", code=Code.IMAGE_JOB_WITHOUT_IMAGE)
    return ImageWork(job_id, image_key, source)
