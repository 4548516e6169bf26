"""Image uploads: content sniffed by magic bytes (PNG/JPEG/GIF/WebP; never SVG), stored by hash."""

from __future__ import annotations

import hashlib
from email.parser import BytesParser
from email.policy import HTTP

from quizhub.errors import Invalid, TooLarge
from quizhub.guard import IMAGE_LIMIT

__all__ = ["sniff_image", "extract_upload", "image_key_for", "UPLOAD_BODY"]
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_BYTES = {"type": "string", "format": "binary", "minLength": 1}
# The OpenAPI request body of ``POST /api/admin/images``: the image as the raw body, or a
# multipart form with the field ``file``. The type is recognised by content, not by header.
UPLOAD_BODY = {
    "required": True,
    "description": "PNG, JPEG, GIF or WebP (recognised by magic bytes), ≤ 5 MB",
    "content": {
        **{media: {"schema": _BYTES} for media in _TYPES.values()},
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": _BYTES}, "required": ["file"]}
        },
    },
}


def sniff_image(data: bytes) -> tuple[str, str]:
    """(extension, content type) recognised from the bytes themselves, else Invalid."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        ext = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        ext = "jpg"
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        ext = "gif"
    elif len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        ext = "webp"
    else:
        raise Invalid(
            "not a supported image: upload PNG, JPEG, GIF or WebP (checked by content, not name)",
            code="unsupported_image",
        )
    return ext, _TYPES[ext]


def image_key_for(data: bytes, ext: str) -> str:
    """Content-addressed key: the same image always gets the same key."""
    return f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"


def extract_upload(content_type: str, body: bytes) -> bytes:
    """The file bytes of a raw-body or multipart/form-data upload, size-checked."""
    if content_type.lower().startswith("multipart/form-data"):
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
                "multipart upload has no file part (use the field name 'file')", code="no_file"
            )
        payload = files[0].get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    else:
        data = body
    if not data:
        raise Invalid("the upload is empty", code="empty_upload")
    if len(data) > IMAGE_LIMIT:
        raise TooLarge(f"images are limited to {IMAGE_LIMIT} bytes", details={"limit": IMAGE_LIMIT})
    return data
