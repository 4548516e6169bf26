"""``make bench`` (images): what a phone downloads for a quiz with images, originals vs variants,
and how long the local platform takes to process one uploaded photo.

A quiz with a cover, three question images and two result images, each a 12 MP phone photo (a
multi-scale noise, JPEG quality 92, GPS EXIF: 2-3 MB like a real one), is uploaded through the real
API and processed by the queue consumer (Pillow). A quiz taker sees the cover, the three
questions and one result: five images. "Before" is what the old upload served (the originals);
"after" is what a phone's browser picks from the pages' ``srcset``/``sizes``: the image slot is
``92vw`` of a 390 px wide viewport (359 CSS px), times the device pixel ratio, and the browser
takes the narrowest variant at least that wide, in WebP.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

import httpx2
from PIL import Image
from tests.imagefiles import GPS_TAG

from benchmarks.report import add_out_option, markdown_table, write_report
from quizhub.bindings import Settings
from quizhub.domain.images import VARIANT_WIDTHS
from quizhub.local.platform import build_platform

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VIEWPORT_CSS_PX = 390
SLOT_VW = 0.92  # public/assets/test.js PANEL_SIZES on phones
SEEN = 5  # cover + 3 questions + 1 result


def _channel(width: int, height: int, seed: int) -> Image.Image:
    """Detail at every scale (noise at 1/64, 1/16, 1/4 and full size, blended), so downscaled
    variants keep detail as a real photo's do (fine noise alone would average out)."""
    layers = []
    for div, sigma in ((64, 60), (16, 45), (4, 30), (1, 8)):
        noise = Image.effect_noise((max(1, width // div), max(1, height // div)), sigma + seed)
        layers.append(noise.resize((width, height), Image.Resampling.BICUBIC))
    out = layers[0]
    for i, layer in enumerate(layers[1:], start=2):
        out = Image.blend(out, layer, 1 / i)
    return out


def photo(seed: int, width: int = 4032, height: int = 3024) -> bytes:
    """A 12 MP phone-like photo, JPEG 92, with GPS EXIF."""
    img = Image.merge("RGB", tuple(_channel(width, height, seed + c) for c in range(3)))
    exif = Image.Exif()
    exif[GPS_TAG] = {1: "N", 2: (37.0, 33.0, float(seed)), 3: "E", 4: (126.0, 58.0, 40.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def chosen_width(dpr: float) -> int:
    """The variant a browser picks from the srcset for the slot at this pixel ratio."""
    needed = VIEWPORT_CSS_PX * SLOT_VW * dpr
    return next((w for w in VARIANT_WIDTHS if w >= needed), VARIANT_WIDTHS[-1])


async def bench(count: int, out: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        platform = build_platform(
            Path(tmp) / "images", Settings(admin_token=TOKEN), rate_limits=False
        )
        transport = httpx2.ASGITransport(app=platform.app())
        async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as client:
            originals: list[bytes] = []
            keys: list[str] = []
            seconds: list[float] = []
            for i in range(count):
                data = photo(i)
                r = await client.post("/api/admin/images", content=data, headers=AUTH)
                assert r.status_code == 202, r.text
                started = time.perf_counter()
                await platform.drain()
                seconds.append(time.perf_counter() - started)
                job = (await client.get(r.json()["statusUrl"], headers=AUTH)).json()
                assert job["status"] == "succeeded", job
                originals.append(data)
                keys.append(r.json()["key"])
            rows = []
            seen_before = sum(len(d) for d in originals[:SEEN])
            for dpr in (1, 2, 3):
                width = chosen_width(dpr)
                total = 0
                for key in keys[:SEEN]:
                    got = await client.get(
                        f"/api/images/{key}?w={width}", headers={"Accept": "image/webp"}
                    )
                    assert got.headers["content-type"] == "image/webp"
                    total += len(got.content)
                rows.append((dpr, width, total))
        platform.close()
    mb = 1_000_000
    table = markdown_table(
        ["pixel ratio", "variant", "bytes downloaded", "before (originals)", "saved"],
        [
            (
                f"{dpr}x",
                f"{width} px WebP",
                f"{total / mb:.2f} MB",
                f"{seen_before / mb:.2f} MB",
                f"{100 * (1 - total / seen_before):.1f} %",
            )
            for dpr, width, total in rows
        ],
    )
    body = (
        f"A quiz seen on a {VIEWPORT_CSS_PX} px wide phone ({SEEN} images).\n\n{table}\n\n"
        f"Processing per 12 MP photo (decode, {2 * len(VARIANT_WIDTHS)} variants, record; "
        f"Pillow): median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s over {count} photos "
        f"(originals {min(map(len, originals)) / mb:.1f}-{max(map(len, originals)) / mb:.1f} MB)."
    )
    print(f"{body}\n")
    print(f"wrote {write_report('images', body, out=out)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.image_bench", description=__doc__)
    parser.add_argument("--photos", type=int, default=6, help="photos in the quiz (>= 5)")
    add_out_option(parser)
    args = parser.parse_args(argv)
    asyncio.run(bench(max(SEEN, args.photos), args.out))


if __name__ == "__main__":
    main()
