"""R2 key layout. Ids are validated by regex before they get here: keys stay in their prefix."""

from __future__ import annotations

__all__ = ["document_key", "staging_key", "image_object_key", "KV_TEST_PREFIX", "kv_test_key"]

KV_TEST_PREFIX = "test:"


def document_key(test_id: str, rev: str) -> str:
    """Immutable, versioned document object: written before the D1 pointer flips to it."""
    return f"tests/{test_id}/{rev}.json"


def staging_key(job_id: str) -> str:
    """Claim-check object for a save body too large for a queue message."""
    return f"staging/{job_id}.json"


def image_object_key(image_key: str) -> str:
    return f"images/{image_key}"


def kv_test_key(test_id: str) -> str:
    """KV entry holding ``{"rev", "doc"}`` of a published test (a cache, never the truth)."""
    return f"{KV_TEST_PREFIX}{test_id}"
