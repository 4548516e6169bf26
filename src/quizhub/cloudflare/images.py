"""The Images binding (``[images] binding = "IMAGES"``) as the ``ImageTransformer`` port.

``info(stream)`` reads the header; ``input(stream).transform({...}).output({...})`` resizes and
re-encodes. An original stored in R2 (an ``R2SourceAdapter``) goes in as the ReadableStream of a
fresh R2 ``get``, one per call (a stream is read once; re-reading R2 costs a subrequest, where a
``tee()`` of one body would buffer the whole original in the isolate for the later calls): its
bytes never enter Python. Bytes (a variant just made) go in as a stream of their own; the
variant comes back from ``result.image()``. Metadata stripping is asked for explicitly
(``metadata: "none"`` in the transform) rather than left to the binding's default, and the
pipeline checks every variant for EXIF/XMP before storing it.
"""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import from_js, js_bytes, to_js, unwrap
from quizhub.cloudflare.r2 import R2SourceAdapter
from quizhub.errors import Code, Permanent
from quizhub.ports import ImageInput

__all__ = ["ImagesAdapter", "NOT_AN_IMAGE"]

# The ImagesError code for "input is not an image" (workerd's images types): the input, not the
# service, is at fault, so retrying cannot help. Any other error is treated as transient.
NOT_AN_IMAGE = (9412,)


def _bytes_stream(data: bytes | bytearray | memoryview) -> Any:
    import js

    return js.Response.new(js_bytes(bytes(data))).body


async def _stream(image: ImageInput) -> Any:
    """The ReadableStream the binding reads ``image`` from: an R2 object's own body (never
    copied into Python), or bytes already in Python."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _bytes_stream(image)
    if isinstance(image, R2SourceAdapter):
        return await image.stream()
    return _bytes_stream(await image.read())  # another platform's source: its bytes


def _as_permanent(exc: BaseException) -> BaseException:
    """A Permanent for an ImagesError about the input; anything else as it is (transient)."""
    code = getattr(getattr(exc, "js_error", None), "code", None)
    text = str(exc)
    if code in NOT_AN_IMAGE or any(f"{c}" in text for c in NOT_AN_IMAGE):
        message = f"not a decodable image ({text.strip().splitlines()[-1][:200]})"
        return Permanent(message, code=Code.IMAGE_UNDECODABLE)
    return exc


class ImagesAdapter:
    """``env.IMAGES`` → ``ImageTransformer`` (an R2 object's stream or bytes in, bytes out)."""

    def __init__(self, binding: Any) -> None:
        self._binding = unwrap(binding)

    async def info(self, image: ImageInput) -> dict[str, Any]:
        """``{"format", "fileSize", "width", "height"}`` from the header."""
        from pyodide.ffi import JsException

        stream = await _stream(image)
        try:
            answer = from_js(await self._binding.info(stream))
        except JsException as exc:
            raise _as_permanent(exc) from None
        return dict(answer) if isinstance(answer, dict) else {}

    async def transform(
        self, image: ImageInput, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes:
        """``input(stream).transform(transform).output(output)`` → the encoded bytes."""
        import js
        from pyodide.ffi import JsException

        stream = await _stream(image)
        try:
            pipeline = self._binding.input(stream).transform(to_js(transform))
            result = await pipeline.output(to_js(output))
            buffer = await js.Response.new(result.image()).arrayBuffer()
        except JsException as exc:
            raise _as_permanent(exc) from None
        return bytes(buffer.to_bytes())
