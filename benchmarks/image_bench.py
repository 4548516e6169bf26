"""``make bench`` (images): what a phone downloads for a quiz with images, originals vs variants,
how long the local platform takes to process one uploaded photo, and the memory one image job
takes.

A quiz with a cover, three question images and two result images, each a 12 MP phone photo (a
multi-scale noise, JPEG quality 92, GPS EXIF: 2-3 MB like a real one), is uploaded through the real
API and processed by the queue consumer (Pillow). A quiz taker sees the cover, the three
questions and one result: five images. "Before" is what the old upload served (the originals);
"after" is what a phone's browser picks from the pages' ``srcset``/``sizes``: the image slot is
``92vw`` of a 390 px wide viewport (359 CSS px), times the device pixel ratio, and the browser
takes the narrowest variant at least that wide, in WebP.

Memory: one image job, alone in a fresh process (a 12 MP phone photo, and a PNG just under the
50 MP pixel limit), uploaded through the API and then run by the image queue's consumer. The
process's peak resident memory during the job (Linux: ``VmHWM`` after resetting it through
``/proc/self/clear_refs``) against its resident memory just before, and the peak of the Python
heap (``tracemalloc``: bytes objects, never Pillow's pixel buffers, which it does not see).
Locally Pillow decodes in this process; on Cloudflare the Images binding decodes elsewhere and
only the variants enter Python (docs/images.md#memory).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import multiprocessing
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import httpx2
from PIL import Image
from tests.imagefiles import GPS_TAG

from benchmarks.report import add_out_option, markdown_table, write_report
from quizhub.bindings import Settings
from quizhub.domain.images import MAX_PIXELS, VARIANT_WIDTHS
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


def large_png(width: int = 8000, height: int = 6000) -> bytes:
    """A PNG of ``width`` × ``height`` pixels (48 MP by default, just under ``MAX_PIXELS``):
    smooth gradients, so it stays far under the 5 MB upload limit, as a big graphic does."""
    assert width * height <= MAX_PIXELS
    ramp = Image.linear_gradient("L")
    channels = (
        ramp.resize((width, height), Image.Resampling.BILINEAR),
        ramp.rotate(90).resize((width, height), Image.Resampling.BILINEAR),
        Image.radial_gradient("L").resize((width, height), Image.Resampling.BILINEAR),
    )
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "PNG")
    return out.getvalue()


@dataclass(frozen=True)
class JobMemory:
    """One image job's memory, measured alone in a fresh process."""

    seconds: float
    rss_before: int  # bytes resident just before the job ran
    rss_peak: int | None  # the peak while it ran (None: the platform cannot reset the peak)
    heap_peak: int  # peak of the Python heap during the job (tracemalloc)
    variants: int  # how many variants it stored
    variant_bytes: int  # their bytes, all together
    largest_variant: int


def _status_kb(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` in bytes (None off Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Make the kernel's peak-RSS mark (VmHWM) restart from the current RSS (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _measure_one_job(path: str) -> JobMemory:
    """In a fresh process: upload the image at ``path``, then measure while the image queue's
    consumer runs its job."""
    return asyncio.run(_one_job(Path(path)))


async def _one_job(path: Path) -> JobMemory:
    with tempfile.TemporaryDirectory() as tmp:
        platform = build_platform(
            Path(tmp) / "memory", Settings(admin_token=TOKEN), rate_limits=False
        )
        transport = httpx2.ASGITransport(app=platform.app())
        async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as client:
            upload = await asyncio.to_thread(path.read_bytes)
            r = await client.post("/api/admin/images", content=upload, headers=AUTH)
            del upload
            assert r.status_code == 202, r.text
            gc.collect()  # the upload's bytes are gone: what follows is the job's
            before = _status_kb("VmRSS") or 0
            resettable = _reset_peak_rss()
            tracemalloc.start()
            started = time.perf_counter()
            await platform.drain()
            seconds = time.perf_counter() - started
            heap_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            peak = _status_kb("VmHWM") if resettable else None
            job = (await client.get(r.json()["statusUrl"], headers=AUTH)).json()
            assert job["status"] == "succeeded", job
            listed = await platform.bindings.bucket.list(prefix=f"variants/{r.json()['key']}/")
            sizes = [o.size for o in listed.objects]
        platform.close()
    return JobMemory(seconds, before, peak, heap_peak, len(sizes), sum(sizes), max(sizes))


def job_memory(data: bytes) -> JobMemory:
    """``data``'s image job measured alone in a fresh (spawned) process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "original"
        path.write_bytes(data)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            return pool.apply(_measure_one_job, (str(path),))


def _mb(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1_000_000:.0f} MB"


def memory_table(rows: list[tuple[str, bytes, str, JobMemory]]) -> str:
    """The per-job memory table: (what, original, pixels, measured)."""
    return markdown_table(
        [
            "one image job",
            "original",
            "job time",
            "resident memory: before → peak",
            "Python heap peak",
            "variants (what enters Python on Cloudflare)",
        ],
        [
            (
                f"{what} ({pixels})",
                f"{len(data) / 1_000_000:.1f} MB",
                f"{m.seconds:.1f} s",
                f"{_mb(m.rss_before)} → {_mb(m.rss_peak)}"
                + ("" if m.rss_peak is None else f" (+{_mb(m.rss_peak - m.rss_before)})"),
                _mb(m.heap_peak),
                f"{m.variants}, {m.variant_bytes / 1000:.0f} KB"
                f" (largest {m.largest_variant / 1000:.0f} KB)",
            )
            for what, data, pixels, m in rows
        ],
    )


def chosen_width(dpr: float) -> int:
    """The variant a browser picks from the srcset for the slot at this pixel ratio."""
    needed = VIEWPORT_CSS_PX * SLOT_VW * dpr
    return next((w for w in VARIANT_WIDTHS if w >= needed), VARIANT_WIDTHS[-1])


async def bench(count: int, out: str | None = None, *, png: tuple[int, int]) -> None:
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
    photo_bytes = photo(count)
    png_width, png_height = png
    png_bytes = large_png(png_width, png_height)
    memory = [
        ("12 MP phone photo, JPEG", photo_bytes, "4032×3024", job_memory(photo_bytes)),
        (
            f"{png_width * png_height / 1e6:.0f} MP PNG",
            png_bytes,
            f"{png_width}×{png_height}",
            job_memory(png_bytes),
        ),
    ]
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
        f"\n\nMemory of one image job on the local platform (Pillow decodes in the process), "
        f"each alone in a fresh process after its upload:\n\n{memory_table(memory)}"
    )
    print(f"{body}\n")
    print(f"wrote {write_report('images', body, out=out)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.image_bench", description=__doc__)
    parser.add_argument("--photos", type=int, default=6, help="photos in the quiz (>= 5)")
    parser.add_argument(
        "--png",
        default="8000x6000",
        help="width x height of the large PNG whose job's memory is measured (default: 48 MP)",
    )
    add_out_option(parser)
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.png.lower().split("x"))
    asyncio.run(bench(max(SEEN, args.photos), args.out, png=(width, height)))


if __name__ == "__main__":
    main()
