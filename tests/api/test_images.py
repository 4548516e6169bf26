"""Image uploads through the queue: 202 + job, variants without metadata, the placeholder until
they exist, nearest-width serving, reprocessing of originals stored before, hard inputs."""

from __future__ import annotations

import io
import resource
from pathlib import Path
from typing import Any

from PIL import Image

from quizhub.domain.images import MAX_PIXELS, VARIANT_WIDTHS, metadata_found
from quizhub.pipeline import images as image_steps
from quizhub.store.keys import image_staging_key, legacy_image_key
from tests.api.conftest import AUTH, Api, make_api
from tests.fakes import FakeClock, run
from tests.imagefiles import GPS_TAG, animated_gif, cmyk_jpeg, exif_of, phone_photo, png_bomb


def _upload(api: Api, data: bytes) -> dict[str, Any]:
    r = api.client.post("/api/admin/images", content=data, headers=AUTH)
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def _processed(api: Api, data: bytes) -> tuple[str, dict[str, Any]]:
    upload = _upload(api, data)
    api.clock.advance(1000)
    api.process()
    return upload["key"], api.job(upload["jobId"])


def _stored_variants(api: Api, key: str) -> dict[str, bytes]:
    async def read() -> dict[str, bytes]:
        listed = await api.b.bucket.list(prefix=f"variants/{key}/")
        out = {}
        for o in listed.objects:
            obj = await api.b.bucket.get(o.key)
            assert obj is not None
            out[o.key] = obj.body
        return out

    return run(read())


def test_upload_answers_202_and_serves_a_placeholder_until_the_variants_exist(api: Api) -> None:
    """The upload is a job: its key works at once (placeholder, never the original), and once
    the job succeeded the URL serves the nearest WebP variant, upright."""
    photo = phone_photo()
    upload = _upload(api, photo)
    assert set(upload) == {"jobId", "rev", "key", "statusUrl", "url"}
    assert upload["statusUrl"] == f"/api/admin/jobs/{upload['jobId']}"
    key = upload["key"]
    pending = api.client.get(f"/api/images/{key}?w=640")
    assert pending.status_code == 200 and pending.headers["content-type"] == "image/svg+xml"
    assert pending.headers["x-image-status"] == "pending"
    assert pending.headers["cache-control"] == "no-store"
    assert photo not in pending.content
    assert api.job(upload["jobId"])["status"] == "queued"

    api.clock.advance(1000)
    api.process()
    job = api.job(upload["jobId"])
    assert job["status"] == "succeeded" and job["kind"] == "image" and job["imageKey"] == key
    assert job["committedAt"] and job["liveAt"] and job["error"] is None

    small = api.client.get(f"/api/images/{key}?w=300", headers={"Accept": "image/webp,*/*"})
    assert small.status_code == 200 and small.headers["content-type"] == "image/webp"
    assert small.headers["vary"] == "Accept" and "immutable" in small.headers["cache-control"]
    assert small.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(small.content)) as img:
        assert img.size == (320, 427)  # 1600×1200 turned upright by its orientation tag
    fallback = api.client.get(f"/api/images/{key}?w=641&format=original")
    assert fallback.headers["content-type"] == "image/jpeg" and "vary" not in fallback.headers
    with Image.open(io.BytesIO(fallback.content)) as img:
        assert img.size == (1200, 1600)  # the widest: upright, the photo is 1200 wide
    widest = api.client.get(f"/api/images/{key}", headers={"Accept": "image/webp"})
    with Image.open(io.BytesIO(widest.content)) as img:
        assert img.size == (1200, 1600)
    etag = widest.headers["etag"]
    again = api.client.get(
        f"/api/images/{key}", headers={"Accept": "image/webp", "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_the_accept_header_q_values_decide_between_webp_and_the_original(api: Api) -> None:
    """``image/webp;q=0`` refuses WebP: the JPEG variant is served. WebP is served when the
    header names it with a q at least JPEG's; a wildcard alone or no header gets the JPEG."""
    key, job = _processed(api, phone_photo(640, 480, orientation=1))
    assert job["status"] == "succeeded"
    served = {
        accept: api.client.get(f"/api/images/{key}?w=320", headers={"Accept": accept})
        for accept in (
            "image/webp;q=0, image/jpeg",
            "image/webp;q=0.5, image/jpeg;q=0.9",
            "image/*;q=0.5, image/webp;q=1",
            "image/*",
            "",
        )
    }
    assert {accept: r.headers["content-type"] for accept, r in served.items()} == {
        "image/webp;q=0, image/jpeg": "image/jpeg",
        "image/webp;q=0.5, image/jpeg;q=0.9": "image/jpeg",
        "image/*;q=0.5, image/webp;q=1": "image/webp",
        "image/*": "image/jpeg",
        "": "image/jpeg",
    }
    refused = served["image/webp;q=0, image/jpeg"]
    assert refused.status_code == 200 and refused.headers["vary"] == "Accept"
    with Image.open(io.BytesIO(refused.content)) as img:
        assert (img.format, img.width) == ("JPEG", 320)


def test_gps_exif_is_gone_from_every_variant_and_the_original_is_deleted(api: Api) -> None:
    """Every stored variant (each width, WebP and JPEG) carries no EXIF, no GPS, no XMP; the
    private original, which had them, is deleted once the variants are recorded."""
    photo = phone_photo(orientation=1)
    assert GPS_TAG in exif_of(photo)  # the upload really has a position in it
    key, job = _processed(api, photo)
    assert job["status"] == "succeeded"
    stored = _stored_variants(api, key)
    assert sorted(stored) == sorted(
        f"variants/{key}/{w}w.{ext}" for w in VARIANT_WIDTHS for ext in ("webp", "jpg")
    )
    for name, data in stored.items():
        assert exif_of(data) == {}, name
        assert metadata_found(data) == [], name
        assert b"PhoneMaker" not in data and b"Exif" not in data, name
    assert run(api.b.bucket.head(image_staging_key(key))) is None
    state = api.client.get(f"/api/admin/images/{key}", headers=AUTH).json()
    assert state["status"] == "ready" and len(state["variants"]) == 2 * len(VARIANT_WIDTHS)


def test_a_decompression_bomb_fails_permanently_without_decoding(api: Api) -> None:
    """A PNG whose header promises 1.6 G pixels fails after one attempt, with the reason, and
    without the memory decoding it would take; its URL keeps the placeholder."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    key, job = _processed(api, png_bomb())
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert job["status"] == "failed" and job["attempts"] == 1
    assert "too large to decode" in job["error"] and "40000×40000" in job["error"]
    # The same as a code, in both modes (a workflow step's error reaches the run as text only).
    pixels = {"width": 40_000, "height": 40_000, "limit": MAX_PIXELS}
    assert (job["errorCode"], job["errorParams"]) == ("image_too_many_pixels", pixels)
    assert grown_mb < 300  # decoding would take 4.8 GB
    assert api.client.get(f"/api/images/{key}").headers["x-image-status"] == "pending"
    state = api.client.get(f"/api/admin/images/{key}", headers=AUTH).json()
    assert state["status"] == "failed" and "too large" in state["job"]["error"]
    retried = api.client.post(f"/api/admin/jobs/{job['jobId']}/retry", headers=AUTH)
    assert retried.status_code == 202  # its original is kept for a retry (the cause stays)


def test_an_animated_gif_becomes_its_first_frame(api: Api) -> None:
    """Animated GIFs are processed (not refused): every variant is the first frame."""
    key, job = _processed(api, animated_gif())
    assert job["status"] == "succeeded"
    stored = _stored_variants(api, key)
    assert sorted(stored) == [f"variants/{key}/120w.gif", f"variants/{key}/120w.webp"]
    for data in stored.values():
        with Image.open(io.BytesIO(data)) as img:
            assert getattr(img, "n_frames", 1) == 1


def test_a_cmyk_jpeg_is_converted_to_rgb(api: Api) -> None:
    """CMYK (print) JPEGs are converted: WebP has no CMYK, browsers render RGB."""
    key, job = _processed(api, cmyk_jpeg())
    assert job["status"] == "succeeded"
    for data in _stored_variants(api, key).values():
        with Image.open(io.BytesIO(data)) as img:
            assert img.mode == "RGB"


def test_duplicate_deliveries_and_uploads_store_no_second_variant(api: Api) -> None:
    """Delivering the job again, uploading the same bytes again, or re-running the variants
    step after a crash writes no variant twice: same objects, same etags, one row each."""
    photo = phone_photo(800, 600, orientation=1)
    upload = _upload(api, photo)
    message = next(m for m in api.sent_images if m.get("imageKey") == upload["key"])
    api.clock.advance(1000)
    api.process()
    key = upload["key"]
    etags = {k: run(api.b.bucket.head(k)).etag for k in _stored_variants(api, key)}  # type: ignore[union-attr]
    run(api.b.image_queue.send(message))  # the queue delivers the same message again
    again = _upload(api, photo)  # the same bytes uploaded again: same key, a new job
    assert again["key"] == key
    api.clock.advance(1000)
    api.process()
    assert api.job(again["jobId"])["status"] == "succeeded"
    work = image_steps.ImageWork("crash-replay", key, image_staging_key(key), own_job=False)
    run(api.b.bucket.put(image_staging_key(key), photo))
    run(image_steps.process(api.b, work))  # a step re-run after a crash
    after = {k: run(api.b.bucket.head(k)).etag for k in _stored_variants(api, key)}  # type: ignore[union-attr]
    assert after == etags and len(after) == 2 * 3  # 320, 640, 800 × (webp, jpg)
    rows = run(
        api.b.db.prepare("SELECT COUNT(*) AS n FROM image_variants WHERE image_key = ?")
        .bind(key)
        .first("n")
    )
    assert rows == len(etags)


def test_reprocess_turns_originals_stored_before_into_variants(api: Api) -> None:
    """An upload stored as-is before this pipeline is never served; the reprocessing job
    makes its variants (GPS gone) and deletes the original."""
    photo = phone_photo(640, 480, orientation=1)
    key = "ab" * 16 + ".jpg"
    run(api.b.bucket.put(legacy_image_key(key), photo))
    before = api.client.get(f"/api/images/{key}")
    assert before.headers["x-image-status"] == "pending" and photo not in before.content
    r = api.client.post("/api/admin/reprocess-images", headers=AUTH)
    assert r.status_code == 202
    api.clock.advance(1000)
    api.process()
    job = api.job(r.json()["jobId"])
    assert job["status"] == "succeeded" and job["error"] is None and job["kind"] == "image"
    served = api.client.get(f"/api/images/{key}?w=320", headers={"Accept": "image/webp"})
    assert served.headers["content-type"] == "image/webp" and exif_of(served.content) == {}
    assert run(api.b.bucket.head(legacy_image_key(key))) is None
    again = api.client.post("/api/admin/reprocess-images", headers=AUTH).json()
    api.clock.advance(1000)
    api.process()
    assert "nothing to reprocess" in api.job(again["jobId"])["error"]


def test_uploads_are_checked_by_content_and_size(api: Api) -> None:
    """SVG (or anything not PNG/JPEG/GIF/WebP by its bytes) is a 422, over 5 MB a 413, and an
    image key that was never uploaded a 404."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    bad = api.client.post(
        "/api/admin/images", content=svg, headers={**AUTH, "Content-Type": "image/png"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unsupported_image"
    assert "PNG, JPEG, GIF or WebP" in bad.json()["error"]["message"]
    huge = api.client.post(
        "/api/admin/images", content=phone_photo(64, 64) + b"\0" * (5 * 1024 * 1024), headers=AUTH
    )
    assert huge.status_code == 413
    assert api.client.get("/api/images/" + "0" * 32 + ".png").status_code == 404
    assert api.client.get("/api/admin/images/" + "0" * 32 + ".png", headers=AUTH).status_code == 404
    multi = api.client.post(
        "/api/admin/images",
        files={"file": ("a.jpg", phone_photo(64, 64), "image/jpeg")},
        headers=AUTH,
    )
    assert multi.status_code == 202 and multi.json()["key"].endswith(".jpg")


def test_sync_mode_processes_the_upload_inside_the_request(tmp_path: Path) -> None:
    """The synchronous baseline answers 200 with the finished image job."""
    api = make_api(tmp_path, FakeClock(), mode="sync")
    try:
        r = api.client.post("/api/admin/images", content=phone_photo(400, 300), headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "succeeded" and r.json()["key"] == r.json()["imageKey"]
        served = api.client.get(r.json()["url"] + "?w=320", headers={"Accept": "image/webp"})
        assert served.headers["content-type"] == "image/webp"
    finally:
        api.platform.close()
