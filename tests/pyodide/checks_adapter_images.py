"""``adapter.images``: ``ImagesAdapter`` over a JS stand-in shaped like the Images binding
(``info(stream)``, ``input(stream).transform(opts).output(opts)`` → ``image()`` stream), and an
image job's steps through it over Miniflare's real R2 and D1 (migration 0009 applied by
wrangler). The stand-in "encodes" ``<media type>:<width>`` so sizes can be read back, and
records what it was given: a ReadableStream, and whether it is the very body an R2 ``get``
handed out (the original streamed from R2, never copied through Python)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.pyodide._entries import js, js_json

_BINDING = """(fromR2) => {
  const calls = [];
  const read = async (stream) => new Uint8Array(await new Response(stream).arrayBuffer());
  const text = (bytes) => new TextDecoder().decode(bytes);
  const given = (stream) => ({ stream: stream instanceof ReadableStream, fromR2: fromR2(stream) });
  const fail = (bytes) => {
    if (bytes[0] === 0x00) {
      const e = new Error("IMAGES_INFO_ERROR 9412: Input file is not an image");
      e.code = 9412;
      throw e;
    }
    if (bytes[0] === 0xee) throw new Error("IMAGES_TRANSFORM_ERROR 9523: upstream timed out");
  };
  const binding = {
    async info(stream) {
      const seen = given(stream);
      const bytes = await read(stream);
      calls.push({ op: "info", ...seen, size: bytes.length, head: Array.from(bytes.slice(0, 8)) });
      fail(bytes);
      const made = /^image\\/\\w+:(\\d+)$/.exec(text(bytes));
      const width = made ? Number(made[1]) : 1600;
      return { format: "image/png", fileSize: bytes.length, width, height: width / 2 };
    },
    input(stream) {
      const seen = given(stream);
      const transforms = [];
      const t = {
        transform(options) { transforms.push(JSON.parse(JSON.stringify(options))); return t; },
        async output(options) {
          const bytes = await read(stream);
          calls.push({ op: "output", ...seen, size: bytes.length, transforms,
                       output: JSON.parse(JSON.stringify(options)) });
          fail(bytes);
          const width = Math.min(...transforms.map((o) => o.width ?? 1600), 1600);
          const out = new TextEncoder().encode(`${options.format}:${width}`);
          return { image: () => new Response(out).body, contentType: () => options.format,
                   response: () => new Response(out) };
        },
      };
      return t;
    },
  };
  return { calls, binding };
}"""

# Miniflare's R2 binding, recording every get, every body it handed out (fromR2) and every
# call that copies a body out of JavaScript (arrayBuffer, bytes, text, json, blob).
_TAGGED_R2 = """(bucket) => {
  const handedOut = new WeakSet();
  const log = { gets: 0, copies: 0 };
  const COPIES = new Set(["arrayBuffer", "bytes", "text", "json", "blob"]);
  const tagged = (obj) => {
    if (obj === null || obj === undefined) return obj;
    let body;
    return new Proxy(obj, { get(t, p) {
      if (p === "body") {
        body ??= t.body;
        handedOut.add(body);
        return body;
      }
      const v = t[p];
      if (typeof v !== "function") return v;
      if (!COPIES.has(p)) return v.bind(t);
      return (...args) => { log.copies += 1; return v.apply(t, args); };
    } });
  };
  const wrapped = new Proxy(bucket, { get(t, p) {
    if (p === "get") {
      return async (...args) => { log.gets += 1; return tagged(await t.get(...args)); };
    }
    const v = t[p];
    return typeof v === "function" ? v.bind(t) : v;
  } });
  return { bucket: wrapped, log, fromR2: (stream) => handedOut.has(stream) };
}"""

_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
_OPTIONS = {"width": 640, "fit": "scale-down", "metadata": "none"}
_OUTPUT = {"format": "image/webp", "quality": 78, "anim": False}


def _standin(r2: Any = None) -> Any:
    """The binding stand-in; ``r2`` (a ``_TAGGED_R2``) tells it which streams came from R2."""
    return js(_BINDING)(r2.fromR2 if r2 is not None else js("() => false"))


def _tagged_bucket(h: Any) -> tuple[Any, Any]:
    """(the ``R2`` adapter over Miniflare's bucket, its ``_TAGGED_R2`` record)."""
    from quizhub.cloudflare.r2 import R2

    r2 = js(_TAGGED_R2)(h.env.BUCKET)
    return R2(r2.bucket), r2


async def check_info_streams_the_bytes_and_reads_the_answer(h: Any) -> None:
    from quizhub.cloudflare.images import ImagesAdapter

    fixture = _standin()
    info = await ImagesAdapter(fixture.binding).info(_PNG)
    assert info == {"format": "image/png", "fileSize": len(_PNG), "width": 1600, "height": 800}
    assert js_json(fixture.calls) == [
        {"op": "info", "stream": True, "fromR2": False, "size": len(_PNG), "head": list(_PNG[:8])}
    ]


async def check_transform_asks_for_no_metadata_and_returns_the_bytes(h: Any) -> None:
    from quizhub.cloudflare.images import ImagesAdapter

    fixture = _standin()
    out = await ImagesAdapter(fixture.binding).transform(_PNG, _OPTIONS, _OUTPUT)
    assert out == b"image/webp:640"
    [call] = js_json(fixture.calls)
    assert call == {
        "op": "output",
        "stream": True,
        "fromR2": False,
        "size": len(_PNG),
        "transforms": [_OPTIONS],
        "output": _OUTPUT,
    }


async def check_an_r2_original_is_streamed_to_the_binding_never_copied_into_python(h: Any) -> None:
    """An original stored in R2 reaches the binding as the ReadableStream of a fresh ``get``,
    one per call (a stream is read once), and nothing copies its body out of JavaScript."""
    from quizhub.cloudflare.images import ImagesAdapter

    bucket, r2 = _tagged_bucket(h)
    await bucket.put("staging/images/streamed.png", _PNG)
    source = await bucket.source("staging/images/streamed.png")
    assert source is not None and (source.key, source.size) == (
        "staging/images/streamed.png",
        len(_PNG),
    )
    fixture = _standin(r2)
    images = ImagesAdapter(fixture.binding)
    assert (await images.info(source))["fileSize"] == len(_PNG)
    assert await images.transform(source, _OPTIONS, _OUTPUT) == b"image/webp:640"
    small = await images.transform(source, {**_OPTIONS, "width": 320}, _OUTPUT)
    assert small == b"image/webp:320"
    seen = [(c["op"], c["stream"], c["fromR2"], c["size"]) for c in js_json(fixture.calls)]
    assert seen == [
        ("info", True, True, len(_PNG)),
        ("output", True, True, len(_PNG)),
        ("output", True, True, len(_PNG)),
    ]
    assert js_json(r2.log) == {"gets": 3, "copies": 0}


async def check_not_an_image_is_permanent_other_errors_are_not(h: Any) -> None:
    from quizhub.cloudflare.images import ImagesAdapter
    from quizhub.errors import Permanent

    images = ImagesAdapter(_standin().binding)
    for data, permanent in ((b"\x00not an image", True), (b"\xee" + _PNG, False)):
        try:
            await images.transform(data, _OPTIONS, _OUTPUT)
        except Exception as exc:  # noqa: BLE001 - classified below
            assert isinstance(exc, Permanent) == permanent, repr(exc)
            continue
        raise AssertionError("expected an error")
    try:
        await images.info(b"\x00not an image")
    except Permanent:
        return
    raise AssertionError("info of a non-image must be Permanent")


async def check_an_image_job_stores_and_records_variants_over_miniflare(h: Any) -> None:
    from quizhub.cloudflare.images import ImagesAdapter
    from quizhub.pipeline import images
    from quizhub.store.images import ImagesRepo
    from quizhub.store.keys import image_staging_key

    bucket, r2 = _tagged_bucket(h)
    fixture = _standin(r2)
    b = replace(h.bindings, images=ImagesAdapter(fixture.binding), bucket=bucket)
    key = "c0ffee" * 5 + "ab.png"
    source = image_staging_key(key)
    await b.bucket.put(source, _PNG)
    work = images.ImageWork("harness-image-job", key, source, own_job=False)
    ports = images.ImagePorts.of(b)
    await images.process(ports, work)
    await images.process(ports, work)  # a repeat: the same variants, nothing stored twice
    await images.release_original(b.bucket, work)
    # The original went from R2 to the binding as a stream, once per call on it; the steps
    # copied no body out of JavaScript (the variants are small and came back as bytes).
    on_original = [c for c in js_json(fixture.calls) if c["size"] == len(_PNG)]
    assert len(on_original) == 2 + 6  # each run's header read, the first run's six variants
    assert all(c["stream"] and c["fromR2"] for c in on_original), on_original
    assert js_json(r2.log) == {"gets": len(on_original), "copies": 0}
    variants = await ImagesRepo(b.db).variants(key)
    assert sorted((v.ext, v.width, v.height) for v in variants) == [
        ("png", 320, 160),
        ("png", 640, 320),
        ("png", 1280, 640),
        ("webp", 320, 160),
        ("webp", 640, 320),
        ("webp", 1280, 640),
    ]
    stored = await b.bucket.get(variants[0].object_key)
    assert stored is not None and stored.http_metadata["contentType"].startswith("image/")
    assert await b.bucket.head(source) is None
    outputs = [c for c in js_json(fixture.calls) if c["op"] == "output"]
    assert len(outputs) == 6  # the repeat found every variant stored: no second transform


# A phone photo made by sharp (the library Miniflare's local Images binding runs on): 1600×1200
# pixels stored sideways (orientation 6), camera fields and a GPS position in its EXIF.
_PHOTO = """async (root) => {
  const { default: sharp } = await import(`${root}/node_modules/sharp/dist/index.mjs`);
  const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3,
                                        background: { r: 200, g: 120, b: 40 } } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: "PhoneMaker", Model: "Model X", Orientation: "6" },
                IFD3: { GPSLatitudeRef: "N", GPSLatitude: "37/1 33/1 59/1",
                        GPSLongitudeRef: "E", GPSLongitude: "126/1 58/1 40/1" } })
    .toBuffer();
  return new Uint8Array(photo);
}"""


async def check_the_local_images_binding_scales_and_strips_gps_from_a_streamed_photo(
    h: Any,
) -> None:
    """The adapter over Miniflare's own (local, sharp-based) IMAGES binding of wrangler.toml,
    fed a real photo streamed from Miniflare's R2: its header is read, and its variants come
    back smaller, in WebP and JPEG, with no EXIF (GPS included) left in them."""
    import _harness  # type: ignore[import-not-found]

    from quizhub.domain.images import metadata_found

    assert h.bindings.images is not None, "wrangler.toml binds IMAGES"
    photo = bytes((await js(_PHOTO)(_harness.root)).to_py())
    assert b"GPS" in photo or b"PhoneMaker" in photo  # the original really carries EXIF
    await h.bindings.bucket.put("staging/images/gps-photo.jpg", photo)
    streamed = await h.bindings.bucket.source("staging/images/gps-photo.jpg")
    assert streamed is not None
    info = await h.bindings.images.info(streamed)
    assert info["format"] == "image/jpeg" and info["fileSize"] == len(photo)
    assert {info["width"], info["height"]} == {1600, 1200}
    for media_type in ("image/webp", "image/jpeg"):
        out = await h.bindings.images.transform(
            streamed, {**_OPTIONS, "width": 320}, {**_OUTPUT, "format": media_type}
        )
        assert metadata_found(out) == [], media_type
        assert b"PhoneMaker" not in out, media_type
        scaled = await h.bindings.images.info(out)
        assert scaled["format"] == media_type and scaled["width"] == 320, scaled


async def check_an_upload_runs_through_the_consumer_worker_and_its_images_binding(h: Any) -> None:
    """End to end on the Cloudflare side: a photo accepted by the real upload path goes onto
    Miniflare's image queue (one message per batch), the consumer Worker entry
    (``src/consumer_worker.py``) runs the image job with the IMAGES binding of
    wrangler.consumer.toml (Miniflare's local one), and Miniflare's R2 and D1 end up with the
    variants, none of them carrying the photo's EXIF."""
    import _harness  # type: ignore[import-not-found]

    from quizhub.domain.images import metadata_found
    from quizhub.pipeline.accept import accept_image
    from quizhub.store.images import ImagesRepo
    from quizhub.store.jobs import JobsRepo
    from quizhub.store.keys import image_staging_key
    from tests.pyodide.checks_entry_consumer import (
        _consumer_bindings,
        _deliveries,
        _install_handler,
    )

    _install_handler(h)
    before = len(await _deliveries(h, 0, 0))
    photo = bytes((await js(_PHOTO)(_harness.root)).to_py())
    upload = await accept_image(_consumer_bindings(h), photo)
    [delivery] = (await _deliveries(h, before + 1))[before:]
    assert (delivery["queue"], delivery["batch"], delivery["op"]) == (
        "quizhub-images",
        1,
        "ack",
    ), delivery
    job = await JobsRepo(h.bindings.db).get(upload.accepted.job_id)
    assert job is not None and (job.status, job.kind) == ("succeeded", "image"), job
    variants = await ImagesRepo(h.bindings.db).variants(upload.key)
    assert sorted({v.ext for v in variants}) == ["jpg", "webp"] and len(variants) == 6
    for v in variants:
        stored = await h.bindings.bucket.get(v.object_key)
        assert stored is not None and metadata_found(stored.body) == [], v.object_key
        assert b"PhoneMaker" not in stored.body
    assert await h.bindings.bucket.head(image_staging_key(upload.key)) is None
