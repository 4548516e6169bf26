"""Images: the variant to serve for a key (public), and an image's state for editors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from quizhub.domain.images import format_of_ext, pick_variant, prefers_webp
from quizhub.errors import Code, NotFound
from quizhub.ports import D1Database, R2Bucket
from quizhub.store.images import ImagesRepo
from quizhub.store.keys import original_keys

__all__ = ["ImageFormatChoice", "ServedImage", "served_image", "image_state"]

ImageFormatChoice = Literal["webp", "original"]


@dataclass(frozen=True)
class ServedImage:
    """The bytes of the variant to serve, its ETag and media type."""

    body: bytes
    etag: str
    media_type: str


async def served_image(
    db: D1Database,
    bucket: R2Bucket,
    key: str,
    *,
    width: int | None,
    format: ImageFormatChoice | None,
    accept: str | None,
) -> ServedImage | None:
    """The variant of ``key`` nearest ``width`` pixels wide (the widest without it), in WebP or
    in the original's format (by ``format``, else by the q-values of ``accept``). None while
    the image has no variants (being processed, or failed); NotFound for a key that was never
    uploaded, or whose variant is lost. Never the original."""
    variants = await ImagesRepo(db).variants(key)
    if not variants:
        staged, legacy = original_keys(key)
        if await bucket.head(staged) is None and await bucket.head(legacy) is None:
            message = f"image '{key}' does not exist"
            raise NotFound(message, code=Code.IMAGE_NOT_FOUND, params={"key": key})
        return None
    original = format_of_ext(key.rpartition(".")[2])
    webp = format == "webp" if format else prefers_webp(accept, original)
    variant = pick_variant(variants, width=width, webp=webp)
    obj = await bucket.get(variant.object_key)
    if obj is None:
        raise NotFound(
            f"image '{key}' has lost its {variant.width} px variant",
            code=Code.IMAGE_VARIANT_LOST,
            params={"key": key, "width": variant.width},
        )
    return ServedImage(obj.body, obj.http_etag, variant.media_type)


async def image_state(db: D1Database, key: str) -> dict[str, Any]:
    """An image's state for editors: ``ready`` (with its variants), or the state of the job
    making them (``processing``, ``failed`` with the reason); NotFound for a key never
    uploaded."""
    repo = ImagesRepo(db)
    facts, job = await repo.get(key), await repo.latest_job(key)
    if facts is None and job is None:
        message = f"image '{key}' has no record and no job"
        raise NotFound(message, code=Code.IMAGE_NOT_FOUND, params={"key": key})
    status = "ready" if facts is not None else "failed" if job and job.terminal else "processing"
    return {
        "key": key,
        "status": status,
        "original": None if facts is None else facts.to_json(),
        "variants": [v.to_json() for v in await repo.variants(key)],
        "job": None if job is None else job.to_json(),
    }
