"""The Images binding on CPython: Pillow behind ``quizhub.ports.ImageTransformer``.

Same contract as ``env.IMAGES``: the header is read without decoding (``info``), more than
``MAX_PIXELS`` pixels is refused before any pixel is decoded, EXIF orientation is applied, only
the first frame of an animation is used, and the output carries no metadata (no EXIF, XMP, ICC
or text: the image is re-encoded from its pixels with an empty ``info``). Work runs in a thread
so the dev server keeps answering while a photo is resized.

Unlike the binding, Pillow decodes in this process: an original stored in R2 (an ``R2Source``)
is read into Python once per call, as the binding reads a fresh stream per call, and its
decoded pixels stay in memory for the job's next variant, until the job lets go of the source
(docs/images.md#memory).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import weakref
from typing import Any

from quizhub.domain.images import MAX_PIXELS, format_of_media_type, too_many_pixels
from quizhub.errors import Code, Permanent
from quizhub.ports import ImageInput

__all__ = ["PillowImages"]


def _open(data: bytes) -> Any:
    from PIL import Image, UnidentifiedImageError

    # Our limit replaces Pillow's (which would refuse past twice its own number, without
    # saying the size): it is checked below, on the header, before any pixel is decoded.
    Image.MAX_IMAGE_PIXELS = None
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:  # its text names the in-memory file object, not the image
        message = "not a decodable image: no supported format recognised it"
        raise Permanent(message, code=Code.IMAGE_UNDECODABLE) from None
    except (Image.DecompressionBombError, OSError, ValueError) as exc:
        message = f"not a decodable image: {_reason(exc)}"
        raise Permanent(message, code=Code.IMAGE_UNDECODABLE) from None
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise too_many_pixels(width, height)
    return img


_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>")


def _reason(exc: BaseException) -> str:
    """Pillow's message for an editor to read: object reprs (``<_io.BytesIO object at 0x…>``)
    are replaced by what they stand for."""
    return _OBJECT_REPR.sub("the upload", str(exc)) or type(exc).__name__


def _info(data: bytes) -> dict[str, Any]:
    img = _open(data)
    media_type = img.get_format_mimetype() if img.format else None
    return {
        "format": media_type or "application/octet-stream",
        "fileSize": len(data),
        "width": img.size[0],
        "height": img.size[1],
    }


def _decoded(data: bytes) -> Any:
    """The first frame, upright, as RGB or RGBA pixels (no metadata kept). One copy of the
    pixels where it can: turned in place, and converted only when the mode differs (each extra
    copy of a 48 MP image is 144 MB more at the job's peak)."""
    from PIL import Image, ImageOps

    img = _open(data)
    try:
        img.seek(0)
        img.load()
        ImageOps.exif_transpose(img, in_place=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        message = f"the image could not be decoded: {_reason(exc)}"
        raise Permanent(message, code=Code.IMAGE_UNDECODABLE) from None
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    mode = "RGBA" if has_alpha else "RGB"
    return img if img.mode == mode else img.convert(mode)


async def _bytes(image: ImageInput) -> bytes:
    """The image's bytes: as given, or read from R2 (one read per call, like the binding's)."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        return bytes(image)
    return await image.read()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PillowImages:
    """``ImageTransformer`` with Pillow. Keeps the last decoded image while the job that asked
    for it holds its original's ``R2Source`` (one job asks for several variants of the same
    original in a row), and lets it go with that source, so a server that processed a large
    image does not keep its pixels."""

    def __init__(self) -> None:
        self._last: tuple[str, Any] | None = None

    @property
    def holds_pixels(self) -> bool:
        """Whether a decoded image is kept for the next variant."""
        return self._last is not None

    async def info(self, image: ImageInput) -> dict[str, Any]:
        return await asyncio.to_thread(_info, await _bytes(image))

    async def transform(
        self, image: ImageInput, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes:
        data = await _bytes(image)
        digest = await asyncio.to_thread(_digest, data)
        if not isinstance(image, (bytes, bytearray, memoryview)):
            weakref.finalize(image, self._forget, digest)  # the job let go of its original
        return await asyncio.to_thread(self._transform, data, digest, transform, output)

    def _forget(self, digest: str) -> None:
        if self._last is not None and self._last[0] == digest:
            self._last = None

    def _pixels(self, data: bytes, digest: str) -> Any:
        if self._last is None or self._last[0] != digest:
            self._last = None  # the previous image's pixels go before the next are decoded
            self._last = (digest, _decoded(data))
        return self._last[1]

    def _transform(
        self, data: bytes, digest: str, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes:
        from PIL import Image

        media_type = str(output.get("format", ""))
        fmt = format_of_media_type(media_type)
        if fmt is None or transform.get("metadata") != "none":
            raise ValueError(f"unsupported output {output!r} / transform {transform!r}")
        img = self._pixels(data, digest)
        width = int(transform.get("width") or img.width)
        if width < img.width:
            height = max(1, round(img.height * width / img.width))
            img = img.resize((width, height), Image.Resampling.LANCZOS)
        if media_type == "image/jpeg" and img.mode != "RGB":
            img = img.convert("RGB")  # JPEG has no alpha: flattened like the binding does
        img = img.copy()
        img.info = {}  # nothing of the original's metadata reaches the encoder
        out = io.BytesIO()
        options: dict[str, Any] = {}
        if media_type in ("image/jpeg", "image/webp"):
            options["quality"] = int(output.get("quality", fmt.quality))
        if media_type == "image/jpeg":
            options["optimize"] = True
        img.save(out, fmt.name, **options)  # Pillow reads the name case-insensitively
        return out.getvalue()
