"""Images, written once: the formats we accept (by magic bytes), the upload and pixel limits, the
variant widths and formats, which variant a request gets, and the check that a stored variant
carries no metadata. Pure (no I/O, no Pillow, no pydantic): the API, the consumer in Pyodide and
the local platform all read it from here.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quizhub.errors import Code, Invalid, Permanent

__all__ = [
    "ImageFormat",
    "FORMATS",
    "EXTENSIONS",
    "MEDIA_TYPES",
    "FORMAT_NAMES",
    "IMAGE_LIMIT",
    "MAX_PIXELS",
    "VARIANT_WIDTHS",
    "WEBP",
    "format_of_ext",
    "format_of_media_type",
    "sniff_image",
    "too_many_pixels",
    "image_key_for",
    "variant_widths",
    "variant_formats",
    "pick_variant",
    "accept_quality",
    "prefers_webp",
    "metadata_found",
    "Variant",
]


@dataclass(frozen=True)
class ImageFormat:
    """One accepted format: the extension its keys end with, its media type, how to spot it."""

    ext: str
    media_type: str
    name: str
    matches: Callable[[bytes], bool]
    quality: int  # encoder quality of its variants (ignored by lossless PNG/GIF)
    magic: bytes  # the shortest header that sniffs as this format (for tests and fuzzing)


def _webp(data: bytes) -> bool:
    return len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP"


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG = ImageFormat(
    "png", "image/png", "PNG", lambda d: d.startswith(_PNG_SIGNATURE), 100, _PNG_SIGNATURE
)
JPEG = ImageFormat(
    "jpg", "image/jpeg", "JPEG", lambda d: d.startswith(b"\xff\xd8\xff"), 82, b"\xff\xd8\xff"
)
GIF = ImageFormat(
    "gif", "image/gif", "GIF", lambda d: d[:6] in (b"GIF87a", b"GIF89a"), 100, b"GIF89a"
)
WEBP = ImageFormat("webp", "image/webp", "WebP", _webp, 78, b"RIFF\x00\x00\x00\x00WEBP")
# Every format an upload may be (never SVG: it can carry scripts).
FORMATS: tuple[ImageFormat, ...] = (PNG, JPEG, GIF, WEBP)
EXTENSIONS: tuple[str, ...] = tuple(f.ext for f in FORMATS)
MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS)
FORMAT_NAMES = ", ".join(f.name for f in FORMATS[:-1]) + f" or {FORMATS[-1].name}"

IMAGE_LIMIT = 5 * 1024 * 1024  # an uploaded image ≤ 5 MB
# Decoding more pixels than this is refused (a decompression bomb: a few KB that decode to
# gigabytes). 50 MP covers a 48 MP phone photo; RGB at 50 MP is 150 MB of memory.
MAX_PIXELS = 50_000_000
# Responsive variants, each in WebP and in the original's format (the fallback); an image
# narrower than a width gets one variant at its own width instead (never upscaled).
VARIANT_WIDTHS: tuple[int, ...] = (320, 640, 1280)


def too_many_pixels(width: int, height: int) -> Permanent:
    """The failure of an image past ``MAX_PIXELS`` (checked on its header, before decoding)."""
    return Permanent(
        f"image too large to decode: {width}×{height} = {width * height} pixels "
        f"(limit {MAX_PIXELS}; a decompression bomb?)",
        code=Code.IMAGE_TOO_MANY_PIXELS,
        params={"width": width, "height": height, "limit": MAX_PIXELS},
    )


def format_of_ext(ext: str) -> ImageFormat:
    """The format whose keys end with ``ext`` (KeyError for any other)."""
    return {f.ext: f for f in FORMATS}[ext]


def format_of_media_type(media_type: str) -> ImageFormat | None:
    """The accepted format with this media type, or None."""
    return next((f for f in FORMATS if f.media_type == media_type), None)


def sniff_image(data: bytes) -> ImageFormat:
    """The format recognised from the bytes themselves, else Invalid (``unsupported_image``)."""
    for fmt in FORMATS:
        if fmt.matches(data):
            return fmt
    raise Invalid(
        f"not a supported image: upload {FORMAT_NAMES} (checked by content, not name)",
        code=Code.UNSUPPORTED_IMAGE,
        params={"formats": [f.name for f in FORMATS]},
    )


def image_key_for(data: bytes, fmt: ImageFormat) -> str:
    """Content-addressed key: the same image always gets the same key."""
    return f"{hashlib.sha256(data).hexdigest()[:32]}.{fmt.ext}"


def variant_widths(original_width: int) -> list[int]:
    """The widths to make for an image ``original_width`` pixels wide (ascending, unique)."""
    return sorted({min(w, original_width) for w in VARIANT_WIDTHS if original_width > 0})


def variant_formats(original: ImageFormat) -> list[ImageFormat]:
    """WebP first, then the original's own format as the fallback (once when it is WebP)."""
    return [WEBP] if original == WEBP else [WEBP, original]


@dataclass(frozen=True)
class Variant:
    """One stored variant (``variants/{key}/{width}w.{ext}`` in R2, a row in D1)."""

    width: int
    height: int
    ext: str
    object_key: str
    size: int

    @property
    def media_type(self) -> str:
        return format_of_ext(self.ext).media_type

    def to_json(self) -> dict[str, object]:
        return {"width": self.width, "height": self.height, "format": self.ext, "size": self.size}


def pick_variant(variants: Sequence[Variant], *, width: int | None, webp: bool) -> Variant:
    """The variant to serve: in WebP when ``webp`` (else the fallback format), the narrowest
    at least ``width`` wide (the widest when none is; the widest without ``width``)."""
    if not variants:
        raise ValueError("no variants to pick from")
    wanted = [v for v in variants if (v.ext == WEBP.ext) == webp] or list(variants)
    ordered = sorted(wanted, key=lambda v: v.width)
    if width is None:
        return ordered[-1]
    return next((v for v in ordered if v.width >= width), ordered[-1])


# ---------------------------------------------------------------- content negotiation
# RFC 9110 §12.4.2: a qvalue is 0 to 1 with at most three decimals.
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header as ``(type, subtype, q)``, lowercased, in order.
    A range with media-type parameters (``text/html;level=1``) can only match a type carrying
    them, and the types served here carry none, so it is left out; so is a malformed range or
    one whose q is malformed (a weight that cannot be read states no preference)."""
    ranges = []
    for element in accept.split(","):
        media_range, *params = (part.strip() for part in element.split(";"))
        kind, slash, subtype = media_range.lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() != "q":
                q = None  # a media-type parameter (before the weight)
                break
            q = float(value.strip()) if _QVALUE.fullmatch(value.strip()) else None
            break  # anything after the weight is not part of the range
        if q is not None:
            ranges.append((kind, subtype, q))
    return ranges


def accept_quality(accept: str | None, media_type: str) -> float:
    """The q-value an Accept header gives ``media_type`` (RFC 9110 §12.5.1): the most specific
    range that matches it decides (``image/webp`` over ``image/*`` over ``*/*``, the first one
    listed among equals); 0 when none does (0 is "not acceptable"). Without the header (or with
    an empty one) every type is acceptable: 1."""
    if accept is None or not accept.strip():
        return 1.0
    kind, _, subtype = media_type.lower().partition("/")
    best: tuple[int, float] | None = None
    for r_kind, r_subtype, q in _ranges(accept):
        if (r_kind, r_subtype) == (kind, subtype):
            specificity = 2
        elif (r_kind, r_subtype) == (kind, "*"):
            specificity = 1
        elif (r_kind, r_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best is not None else 0.0


def prefers_webp(accept: str | None, original: ImageFormat) -> bool:
    """Whether a request with this Accept header gets the WebP variant rather than the one in
    the ``original``'s format: only when it names ``image/webp`` itself with q > 0, and that q is
    at least the original format's (wildcards included). A wildcard alone never means WebP:
    browsers without WebP send ``image/*`` and ``*/*`` too, and no header means any client."""
    if not accept:
        return False
    named = [q for kind, subtype, q in _ranges(accept) if f"{kind}/{subtype}" == WEBP.media_type]
    webp = named[0] if named else 0.0
    return webp > 0 and webp >= accept_quality(accept, original.media_type)


# ---------------------------------------------------------------- metadata check
def metadata_found(data: bytes) -> list[str]:
    """Names of the metadata blocks in an encoded image (EXIF, XMP, IPTC, text, comment);
    empty when there are none. Pixels, palettes and colour profiles are not metadata here."""
    if JPEG.matches(data):
        return _jpeg_metadata(data)
    if PNG.matches(data):
        return _png_metadata(data)
    if WEBP.matches(data):
        return _webp_metadata(data)
    if GIF.matches(data):
        return _gif_metadata(data)
    return []


def _jpeg_metadata(data: bytes) -> list[str]:
    found: list[str] = []
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: no more headers
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        body = data[i + 4 : i + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\0"):
            found.append("EXIF")
        elif marker == 0xE1 and b"ns.adobe.com/xap" in body[:40]:
            found.append("XMP")
        elif marker == 0xED:
            found.append("IPTC")
        elif marker == 0xFE:
            found.append("comment")
        i += 2 + length
    return found


_PNG_META = {b"eXIf": "EXIF", b"tEXt": "text", b"zTXt": "text", b"iTXt": "text"}


def _png_metadata(data: bytes) -> list[str]:
    found: list[str] = []
    i = 8
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        if kind in _PNG_META:
            found.append(_PNG_META[kind])
        i += 12 + length
    return found


def _webp_metadata(data: bytes) -> list[str]:
    found: list[str] = []
    i = 12
    while i + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[i : i + 8])
        if kind in (b"EXIF", b"XMP "):
            found.append(kind.decode().strip())
        i += 8 + length + (length & 1)
    return found


def _gif_metadata(data: bytes) -> list[str]:
    found: list[str] = []
    flags = data[10] if len(data) > 10 else 0
    i = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while i < len(data):
        block = data[i]
        if block == 0x3B:  # trailer
            break
        if block == 0x21 and i + 1 < len(data):  # extension: label, then sub-blocks
            label = data[i + 1]
            if label == 0xFE:
                found.append("comment")
            elif label == 0xFF and data[i + 3 : i + 14] == b"XMP DataXMP":
                found.append("XMP")
            i = _skip_sub_blocks(data, i + 2)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW size, sub-blocks
            packed = data[i + 9] if i + 9 < len(data) else 0
            i += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
            i = _skip_sub_blocks(data, i + 1)
        else:
            break
    return found


def _skip_sub_blocks(data: bytes, i: int) -> int:
    while i < len(data) and data[i] != 0:
        i += data[i] + 1
    return i + 1
