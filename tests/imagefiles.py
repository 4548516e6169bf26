"""Image files made on the spot for the image tests, the bench and the browser tests: a phone
photo with GPS EXIF and an orientation tag, an animated GIF, a CMYK JPEG and a decompression bomb
(a header that promises far more pixels than anyone should decode)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

__all__ = ["GPS_TAG", "phone_photo", "animated_gif", "cmyk_jpeg", "png_bomb", "exif_of", "size_of"]

GPS_TAG = 0x8825  # the EXIF pointer to the GPS IFD
_ORIENTATION = 0x0112


def phone_photo(width: int = 1600, height: int = 1200, *, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: sensor-wide pixels, an orientation tag (6 = turn 90° to be
    upright: the picture is really portrait), camera fields and a GPS position (Seoul)."""
    img = Image.new("RGB", (width, height))
    # Gradient-ish content so encoders have something to compress (and sizes are realistic).
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(64) for x in range(64) for _ in range(3))
    tile = Image.frombytes("RGB", (64, 64), pixels)
    for y in range(0, height, 64):
        for x in range(0, width, 64):
            img.paste(tile, (x, y))
    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[GPS_TAG] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def animated_gif(frames: int = 3, size: int = 120) -> bytes:
    """A small animated GIF (frames of different colours)."""
    images = [Image.new("P", (size, size), color=i * 40) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def cmyk_jpeg(width: int = 400, height: int = 300) -> bytes:
    """A print-shop JPEG in CMYK (WebP has no CMYK: it must be converted)."""
    out = io.BytesIO()
    Image.new("CMYK", (width, height), (0, 120, 200, 10)).save(out, "JPEG", quality=90)
    return out.getvalue()


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG of a few hundred bytes whose header promises width×height pixels (1.6 G pixels by
    default: 4.8 GB as RGB). Decoding it would exhaust memory; only its header may be read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * 64) * 8)  # a few rows; the rest would be zeros too
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def exif_of(data: bytes) -> dict[int, object]:
    """The EXIF tags Pillow finds in ``data`` (empty when there are none)."""
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif())


def size_of(data: bytes) -> tuple[int, int]:
    """(width, height) of an encoded image."""
    with Image.open(io.BytesIO(data)) as img:
        return img.size
