"""The image rules written once (quizhub.domain.images): formats by content, variant widths, the
variant a request gets, the metadata check, and the places that must agree with them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from quizhub.domain.ids import IMAGE_KEY_PATTERN, is_image_key
from quizhub.domain.images import (
    EXTENSIONS,
    FORMATS,
    GIF,
    JPEG,
    PNG,
    VARIANT_WIDTHS,
    WEBP,
    ImageFormat,
    Variant,
    accept_quality,
    metadata_found,
    pick_variant,
    prefers_webp,
    sniff_image,
    variant_widths,
)
from quizhub.errors import Invalid
from tests.imagefiles import animated_gif, phone_photo

ROOT = Path(__file__).resolve().parents[2]


def test_each_format_is_recognised_by_its_bytes_and_svg_is_not() -> None:
    """The magic bytes decide, whatever the upload claims; SVG and text are refused."""
    for fmt in FORMATS:
        assert sniff_image(fmt.magic + b"rest") == fmt
    with pytest.raises(Invalid) as refused:
        sniff_image(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert refused.value.code == "unsupported_image"


def test_image_keys_follow_the_formats() -> None:
    """The key pattern is derived from the formats: every extension, nothing else."""
    assert set(re.findall(r"\w+", IMAGE_KEY_PATTERN.split("(")[1])) == set(EXTENSIONS)
    assert is_image_key("ab" * 16 + ".webp") and not is_image_key("ab" * 16 + ".svg")
    assert not is_image_key("../" + "ab" * 16 + ".png")


def test_variant_widths_never_upscale() -> None:
    """A wide image gets every width; a narrow one one variant at its own width."""
    assert variant_widths(4000) == list(VARIANT_WIDTHS)
    assert variant_widths(700) == [320, 640, 700]
    assert variant_widths(200) == [200]


def test_the_nearest_variant_at_least_as_wide_is_picked() -> None:
    """``?w=`` gets the narrowest variant at least that wide, else the widest; WebP or not."""
    variants = [
        Variant(w, w // 2, ext, f"variants/k/{w}w.{ext}", w)
        for w in (320, 640, 1200)
        for ext in ("webp", "jpg")
    ]
    assert pick_variant(variants, width=300, webp=True).object_key == "variants/k/320w.webp"
    assert pick_variant(variants, width=641, webp=False).object_key == "variants/k/1200w.jpg"
    assert pick_variant(variants, width=5000, webp=True).width == 1200
    assert pick_variant(variants, width=None, webp=True).width == 1200


def test_accept_q_values_follow_the_most_specific_range() -> None:
    """A type's q comes from the most specific range naming it (``image/webp`` over ``image/*``
    over ``*/*``), whatever the order; unnamed types get 0; no header accepts everything."""
    accept = "*/*;q=0.1, image/*;q=0.5, image/webp;q=1"
    assert accept_quality(accept, "image/webp") == 1.0
    assert accept_quality(accept, "image/jpeg") == 0.5
    assert accept_quality(accept, "text/html") == 0.1
    assert accept_quality("image/webp;q=0.3, image/*", "image/webp") == 0.3
    assert accept_quality("image/png", "image/jpeg") == 0.0
    assert accept_quality(None, "image/jpeg") == accept_quality("", "image/webp") == 1.0


def test_accept_is_case_insensitive_and_skips_malformed_ranges() -> None:
    """Types and the ``q`` name are case-insensitive; a range whose q cannot be read (or that
    is not a media range) states nothing; a range with other parameters matches none of ours."""
    assert accept_quality("IMAGE/WEBP;Q=0.250", "image/webp") == 0.25
    assert accept_quality("Image/*; q=0", "image/webp") == 0.0
    for q in ("abc", "2", "-1", "0.5000", "1.5", "", ".5", "1e-1"):
        assert accept_quality(f"image/webp;q={q}", "image/webp") == 0.0, q
        assert accept_quality(f"image/webp;q={q}, */*;q=0.2", "image/webp") == 0.2, q
    assert accept_quality("webp, /webp, image/, */webp", "image/webp") == 0.0
    assert accept_quality("image/webp;profile=x, image/*;q=0.4", "image/webp") == 0.4
    assert accept_quality("image/webp;q=0.7;ext=1", "image/webp") == 0.7


@pytest.mark.parametrize(
    ("accept", "original", "webp"),
    [
        ("image/webp;q=0, image/jpeg", JPEG, False),  # not acceptable at all
        ("IMAGE/WEBP;Q=0, image/jpeg", JPEG, False),
        ("image/webp;q=0.5, image/jpeg", JPEG, False),  # the original is preferred
        ("image/*;q=0.5, image/webp;q=1", JPEG, True),
        ("image/webp;q=1, image/*;q=0.5", PNG, True),
        ("image/webp;q=0.8, image/png;q=0.8", PNG, True),  # equal: the smaller WebP
        ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", JPEG, True),
        ("image/webp,*/*", GIF, True),
        ("image/webp;q=0.2", JPEG, True),  # only WebP is acceptable
        ("image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", JPEG, False),  # no WebP named
        ("*/*", JPEG, False),
        ("image/*", WEBP, False),
        ("image/webp;q=nope, image/jpeg", JPEG, False),  # a malformed q names nothing
        ("", JPEG, False),
        (None, JPEG, False),  # no header: any client, maybe one without WebP
    ],
)
def test_webp_is_served_only_when_named_with_a_q_at_least_the_originals(
    accept: str | None, original: ImageFormat, webp: bool
) -> None:
    """WebP when the Accept header names ``image/webp`` with q > 0 and at least the q of the
    original's format; a wildcard alone or no header gets the original's format."""
    assert prefers_webp(accept, original) is webp


def test_metadata_is_found_in_each_format() -> None:
    """EXIF in a JPEG, text chunks in a PNG, EXIF/XMP in a WebP, a GIF comment; none in a
    plain re-encode."""
    assert metadata_found(phone_photo(64, 64)) == ["EXIF"]
    img = Image.new("RGB", (8, 8))
    png, webp, gif, plain = io.BytesIO(), io.BytesIO(), io.BytesIO(), io.BytesIO()
    info = PngInfo()
    info.add_text("Comment", "secret")
    img.save(png, "PNG", pnginfo=info)
    img.save(webp, "WEBP", exif=Image.Exif().tobytes() + b"x", xmp=b"<x:xmpmeta/>")
    img.save(gif, "GIF", comment=b"made by a camera")
    img.save(plain, "WEBP")
    assert metadata_found(png.getvalue()) == ["text"]
    assert set(metadata_found(webp.getvalue())) == {"EXIF", "XMP"}
    assert metadata_found(gif.getvalue()) == ["comment"]
    assert metadata_found(plain.getvalue()) == []
    assert metadata_found(animated_gif()) == []


def test_the_public_pages_ask_for_the_widths_the_server_keeps() -> None:
    """public/assets/dom.js lists the variant widths for srcset: the same as the server's."""
    source = (ROOT / "public/assets/dom.js").read_text(encoding="utf-8")
    [listed] = re.findall(r"export const IMAGE_WIDTHS = \[([\d, ]+)\];", source)
    assert tuple(int(w) for w in listed.split(",")) == VARIANT_WIDTHS
