"""The image bench's memory part (docs/measured/images.md): one image job, alone in a fresh
process, measured while the image queue's consumer runs it."""

from __future__ import annotations

import sys

from benchmarks.image_bench import job_memory, large_png, memory_table

from tests.imagefiles import phone_photo


def test_one_image_jobs_memory_is_measured_alone_in_a_fresh_process() -> None:
    """The job ran to its six variants; the peak is read after the job and is at least what
    was resident before it; the Python heap peak is at least the original (Pillow reads it)."""
    photo = phone_photo(1600, 1200)
    measured = job_memory(photo)
    assert measured.variants == 6 and 0 < measured.largest_variant <= measured.variant_bytes
    assert measured.seconds > 0 and measured.rss_before > 0
    assert measured.heap_peak >= len(photo)
    if sys.platform == "linux":
        assert measured.rss_peak is not None and measured.rss_peak >= measured.rss_before
    table = memory_table([("phone photo", photo, "1600×1200", measured)])
    assert table.splitlines()[2].startswith("| phone photo (1600×1200) | ")


def test_the_large_png_stays_under_the_upload_and_pixel_limits() -> None:
    """The large PNG of the bench is an image an editor could upload: under 5 MB and 50 MP."""
    from quizhub.domain.images import IMAGE_LIMIT

    png = large_png(2000, 1500)
    assert png.startswith(b"\x89PNG") and len(png) < IMAGE_LIMIT
