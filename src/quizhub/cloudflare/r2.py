"""R2 adapter: ``quizhub.ports.R2Bucket`` over the JS ``R2Bucket`` binding.

``get`` copies a body into Python (documents, small objects); ``source`` answers an
``R2SourceAdapter`` instead, whose ``stream()`` is the ReadableStream of a fresh ``get``, for a
consumer that reads the body in JavaScript (the Images binding): then it never enters Python.
"""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import call_options, from_js, is_null, iso_utc, js_bytes, unwrap
from quizhub.errors import ObjectVanished
from quizhub.ports import R2Object, R2ObjectBody, R2Objects

__all__ = ["R2", "R2SourceAdapter"]

_ONLY_IF = {"etag_matches": "etagMatches", "etag_does_not_match": "etagDoesNotMatch"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _only_if(only_if: dict[str, str] | None) -> dict[str, str] | None:
    """``{"etag_does_not_match": "*"}`` -> ``{"etagDoesNotMatch": "*"}`` (camelCase also works)."""
    if not only_if:
        return None
    return {_ONLY_IF.get(k, k): v for k, v in only_if.items()}


def _http_metadata(meta: dict[str, str] | None) -> dict[str, str] | None:
    """httpMetadata keys are camelCase in JS (``contentType``); snake_case is translated."""
    if not meta:
        return None
    return {_camel(k): v for k, v in meta.items()}


def _fields(js_obj: Any) -> dict[str, Any]:
    http = from_js(getattr(js_obj, "httpMetadata", None)) or {}
    return {
        "key": str(js_obj.key),
        "size": int(js_obj.size),
        "etag": str(js_obj.etag),
        "http_etag": str(js_obj.httpEtag),
        "version": str(js_obj.version),
        "uploaded": iso_utc(js_obj.uploaded),
        # cacheExpiry is a Date; everything else is a string.
        "http_metadata": {k: str(v) for k, v in http.items() if v is not None},
        "custom_metadata": dict(from_js(getattr(js_obj, "customMetadata", None)) or {}),
    }


def _object(js_obj: Any) -> R2Object | None:
    return None if is_null(js_obj) else R2Object(**_fields(js_obj))


class R2:
    """``env.BUCKET``: put / get / head / delete / list."""

    def __init__(self, binding: Any) -> None:
        self._bucket = unwrap(binding)

    async def put(
        self,
        key: str,
        value: bytes | str | None,
        *,
        http_metadata: dict[str, str] | None = None,
        custom_metadata: dict[str, str] | None = None,
        only_if: dict[str, str] | None = None,
    ) -> R2Object | None:
        """Store ``value``; None when the ``only_if`` precondition fails."""
        from pyodide.ffi import jsnull

        if isinstance(value, (bytes, bytearray, memoryview)):
            body: Any = js_bytes(bytes(value))
        elif value is None:
            body = jsnull
        else:
            body = value
        options = call_options(
            httpMetadata=_http_metadata(http_metadata),
            customMetadata=custom_metadata or None,
            onlyIf=_only_if(only_if),
        )
        return _object(await self._bucket.put(key, body, options))

    async def get(self, key: str, *, only_if: dict[str, str] | None = None) -> R2ObjectBody | None:
        """The object with its body; None when missing or when ``only_if`` fails (no body)."""
        raw = await self._bucket.get(key, call_options(onlyIf=_only_if(only_if)))
        if is_null(raw) or not hasattr(raw, "arrayBuffer"):
            return None
        data = (await raw.arrayBuffer()).to_bytes()
        return R2ObjectBody(**_fields(raw), body=data)

    async def head(self, key: str) -> R2Object | None:
        return _object(await self._bucket.head(key))

    async def source(self, key: str) -> R2SourceAdapter | None:
        """The object at ``key`` with its body unread (a ``head``); None when missing."""
        found = await self.head(key)
        return None if found is None else R2SourceAdapter(self._bucket, found)

    async def delete(self, keys: str | list[str]) -> None:
        """Delete one key or up to 1000 keys; missing keys are not an error."""
        from quizhub.cloudflare._ffi import to_js

        await self._bucket.delete(keys if isinstance(keys, str) else to_js(list(keys)))

    async def list(
        self,
        *,
        prefix: str | None = None,
        limit: int = 1000,
        cursor: str | None = None,
        delimiter: str | None = None,
    ) -> R2Objects:
        options = call_options(
            prefix=prefix,
            limit=limit,
            cursor=cursor,
            delimiter=delimiter,
            include=["httpMetadata", "customMetadata"],
        )
        raw = await self._bucket.list(options)
        objects = [R2Object(**_fields(o)) for o in raw.objects]
        truncated = bool(raw.truncated)
        return R2Objects(
            objects=objects,
            truncated=truncated,
            cursor=str(raw.cursor) if truncated and getattr(raw, "cursor", None) else None,
            delimited_prefixes=list(from_js(getattr(raw, "delimitedPrefixes", None)) or []),
        )


class R2SourceAdapter:
    """``quizhub.ports.R2Source`` over the JS bucket: each read is a fresh ``get`` (a body is a
    stream, read once). ``stream()`` hands its body on untouched; ``read()`` copies it."""

    def __init__(self, bucket: Any, found: R2Object) -> None:
        self._bucket = bucket
        self.object = found

    @property
    def key(self) -> str:
        return self.object.key

    @property
    def size(self) -> int:
        return self.object.size

    async def _get(self) -> Any:
        raw = await self._bucket.get(self.key)
        # Not `body`: under Miniflare's proxies reading it starts consuming the body.
        if is_null(raw) or not hasattr(raw, "arrayBuffer"):
            raise ObjectVanished(self.key)
        return raw

    async def stream(self) -> Any:
        """The body of a fresh ``get``: a JS ReadableStream, not read here (whoever takes it
        reads it, in JavaScript)."""
        return (await self._get()).body

    async def read(self) -> bytes:
        """The body of a fresh ``get``, copied into Python."""
        raw = await self._get()
        return bytes((await raw.arrayBuffer()).to_bytes())
