"""``python -m quizhub.local reprocess-images``: originals stored before variants existed become
variants (EXIF gone), as the admin endpoint's job does."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.local.host._cli import main
from quizhub.store.images import ImagesRepo
from quizhub.store.keys import legacy_image_key
from tests.fakes import FakeClock, make_platform, run
from tests.imagefiles import exif_of, phone_photo


@pytest.mark.usefixtures("cli_settings")
def test_reprocess_images_turns_stored_originals_into_variants(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command runs the job to its end and says how it ended; the original is gone."""
    data = tmp_path / "data"
    key = "cd" * 16 + ".jpg"
    platform = make_platform(data, clock)
    try:
        run(platform.bindings.bucket.put(legacy_image_key(key), phone_photo(500, 400)))
    finally:
        platform.close()

    assert main(["reprocess-images", "--data-dir", str(data)]) == 0
    assert ": succeeded" in capsys.readouterr().out

    platform = make_platform(data, clock)
    try:
        b = platform.bindings
        variants = run(ImagesRepo(b.db).variants(key))
        assert sorted((v.ext, v.width) for v in variants) == [
            ("jpg", 320),
            ("jpg", 400),
            ("webp", 320),
            ("webp", 400),
        ]  # orientation 6: the photo is 400 wide upright
        for v in variants:
            stored = run(b.bucket.get(v.object_key))
            assert stored is not None and exif_of(stored.body) == {}
        assert run(b.bucket.head(legacy_image_key(key))) is None
    finally:
        platform.close()
