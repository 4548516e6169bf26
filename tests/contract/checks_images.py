"""ImageTransformer contract checks: ``async def check_*(images) -> None`` against the port of
``quizhub.ports.ImageTransformer`` (sizes, formats, orientation, metadata gone, bad input is a
permanent failure). Run on the local platform (Pillow); they need real image files, so the
Cloudflare adapter is checked in the Pyodide harness against a stand-in of the binding instead
(``adapter.images``)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from quizhub.domain.images import metadata_found
from quizhub.errors import Permanent
from tests.imagefiles import animated_gif, cmyk_jpeg, exif_of, phone_photo, png_bomb

_STRIP = {"fit": "scale-down", "metadata": "none"}


def _opened(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


async def check_info_reads_format_and_size_from_the_header(images: Any) -> None:
    photo = phone_photo(400, 300, orientation=1)
    info = await images.info(photo)
    assert info["format"] == "image/jpeg"
    assert (info["width"], info["height"], info["fileSize"]) == (400, 300, len(photo))


class _Source:
    """An ``R2Source`` that is not the platform's own: the transformer reads its bytes."""

    def __init__(self, data: bytes) -> None:
        self.key, self.size, self.data, self.reads = "staging/images/photo.jpg", len(data), data, 0

    async def read(self) -> bytes:
        self.reads += 1
        return self.data


async def check_an_r2_source_is_read_once_per_call_and_gives_what_its_bytes_give(
    images: Any,
) -> None:
    photo = phone_photo(400, 300, orientation=1)
    source = _Source(photo)
    assert await images.info(source) == await images.info(photo)
    out = await images.transform(source, {"width": 200, **_STRIP}, {"format": "image/webp"})
    assert _opened(out).size == (200, 150)
    assert source.reads == 2  # one read per call, as a stream is read once


async def check_transform_scales_down_never_up(images: Any) -> None:
    photo = phone_photo(400, 300, orientation=1)
    small = await images.transform(photo, {"width": 200, **_STRIP}, {"format": "image/webp"})
    assert _opened(small).size == (200, 150)
    same = await images.transform(photo, {"width": 1280, **_STRIP}, {"format": "image/webp"})
    assert _opened(same).size == (400, 300)


async def check_transform_encodes_each_output_format(images: Any) -> None:
    photo = phone_photo(200, 100, orientation=1)
    for media_type, name in [
        ("image/webp", "WEBP"),
        ("image/jpeg", "JPEG"),
        ("image/png", "PNG"),
        ("image/gif", "GIF"),
    ]:
        out = await images.transform(photo, {"width": 100, **_STRIP}, {"format": media_type})
        assert _opened(out).format == name, media_type


async def check_transform_applies_orientation_and_strips_metadata(images: Any) -> None:
    photo = phone_photo(320, 160, orientation=6)  # stored landscape, shown portrait
    assert exif_of(photo)
    for media_type in ("image/webp", "image/jpeg"):
        out = await images.transform(photo, {"width": 160, **_STRIP}, {"format": media_type})
        assert _opened(out).size == (160, 320)
        assert exif_of(out) == {} and metadata_found(out) == [], media_type


async def check_animated_and_cmyk_inputs_give_rgb_first_frames(images: Any) -> None:
    gif = await images.transform(animated_gif(), {"width": 64, **_STRIP}, {"format": "image/webp"})
    assert getattr(_opened(gif), "n_frames", 1) == 1
    cmyk = await images.transform(cmyk_jpeg(), {"width": 64, **_STRIP}, {"format": "image/webp"})
    assert _opened(cmyk).mode == "RGB"


async def check_bad_bytes_and_bombs_are_permanent_failures(images: Any) -> None:
    """Each refusal says why in words an editor can read: no object reprs such as
    ``<_io.BytesIO object at 0x…>`` (a failed job's error shows this text)."""
    for data in (b"\x89PNG\r\n\x1a\nnot really", b"GIF89a" + b"\x00" * 64, png_bomb()):
        for call in (
            images.transform(data, {"width": 64, **_STRIP}, {"format": "image/webp"}),
            images.info(data),
        ):
            try:
                await call
            except Permanent as exc:
                assert " object at 0x" not in exc.message, exc.message
                continue
            raise AssertionError("expected Permanent")
