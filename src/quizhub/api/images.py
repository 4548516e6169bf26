"""Image uploads over HTTP: the raw-body or multipart file, size-checked; the request bodies and
responses of the image routes in OpenAPI. What an image may be is in ``quizhub.domain.images``."""

from __future__ import annotations

from typing import Any

from quizhub.domain.images import FORMAT_NAMES, IMAGE_LIMIT, MEDIA_TYPES, VARIANT_WIDTHS
from quizhub.errors import Code, Invalid, TooLarge

__all__ = ["extract_upload", "UPLOAD_BODY", "IMAGE_CONTENT", "PLACEHOLDER_SVG"]
_BYTES = {"type": "string", "format": "binary", "minLength": 1}
# The OpenAPI request body of ``POST /api/admin/images``: the image as the raw body, or a
# multipart form with the field ``file``. The type is recognised by content, not by header.
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "description": f"{FORMAT_NAMES} (recognised by magic bytes), ≤ {IMAGE_LIMIT // 2**20} MB",
    "content": {
        **{media: {"schema": _BYTES} for media in MEDIA_TYPES},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": _BYTES}, "required": ["file"]}
        },
    },
}
# What ``GET /api/images/{key}`` answers: a variant (WebP or the original's format), or the
# placeholder while the image is being processed (or when processing failed).
IMAGE_CONTENT: dict[str, Any] = {
    "description": (
        f"the variant nearest the width asked for ({', '.join(map(str, VARIANT_WIDTHS))} px), "
        "or an SVG placeholder (X-Image-Status: pending) until the variants exist"
    ),
    "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES}
    | {"image/svg+xml": {"schema": {"type": "string"}}},
}
# Served in place of an image that has no variants yet (or whose processing failed): never the
# original. Our own markup, with the same nosniff and `default-src 'none'` CSP as images.
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480">'
    b'<rect width="640" height="480" fill="#e9ecef"/>'
    b'<path d="M270 280l40-50 30 36 20-24 50 38H270z" fill="#adb5bd"/>'
    b'<circle cx="300" cy="200" r="18" fill="#adb5bd"/></svg>'
)


def extract_upload(content_type: str, body: bytes) -> bytes:
    """The file bytes of a raw-body or multipart/form-data upload, size-checked."""
    if content_type.lower().startswith("multipart/form-data"):
        # Loaded here: the email package's header parser is not needed until a form arrives.
        from email.parser import BytesParser
        from email.policy import HTTP

        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        files = [
            p
            for p in message.iter_parts()
            if p.get_filename() or p.get_param("name", header="content-disposition") == "file"
        ]
        if not files:
            raise Invalid(
                "multipart upload has no file part (use the field name 'file')",
                code=Code.NO_FILE,
                params={"field": "file"},
            )
        payload = files[0].get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    else:
        data = body
    if not data:
        raise Invalid("the upload is empty", code=Code.EMPTY_UPLOAD)
    if len(data) > IMAGE_LIMIT:
        limit = {"limit": IMAGE_LIMIT}
        why = f"images are limited to {IMAGE_LIMIT} bytes"
        raise TooLarge(why, code=Code.IMAGE_TOO_LARGE, params=limit, details=limit)
    return data
