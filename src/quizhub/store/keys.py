"""R2 key layout. Ids are validated by regex before they get here: keys stay in their prefix."""

from __future__ import annotations

__all__ = [
    "document_key",
    "merged_document_key",
    "staging_key",
    "image_staging_key",
    "legacy_image_key",
    "original_keys",
    "LEGACY_IMAGE_PREFIX",
    "image_variant_key",
    "KV_TEST_PREFIX",
    "kv_test_key",
    "card_key",
    "card_manifest_key",
]

KV_TEST_PREFIX = "test:"


def document_key(test_id: str, rev: str) -> str:
    """Immutable, versioned document object: written before the D1 pointer flips to it."""
    return f"tests/{test_id}/{rev}.json"


def merged_document_key(test_id: str, rev: str, live_rev: str) -> str:
    """The document a save of ``rev`` became when merged with the live ``live_rev``
    (docs/merge.md): immutable too, and the same key on every redelivery that merges against the
    same live rev (``document_key(test_id, rev)`` already holds the save's own body)."""
    return f"tests/{test_id}/{rev}.merged-{live_rev}.json"


def staging_key(job_id: str) -> str:
    """Claim-check object for a save body too large for a queue message."""
    return f"staging/{job_id}.json"


# Where uploads were stored, as uploaded, before images went through the pipeline. Never
# served any more; `reprocess-images` turns each into variants and then deletes it.
LEGACY_IMAGE_PREFIX = "images/"


def legacy_image_key(image_key: str) -> str:
    """An original stored before variants existed (EXIF and all): private, never served."""
    return f"{LEGACY_IMAGE_PREFIX}{image_key}"


def image_staging_key(image_key: str) -> str:
    """The claim check of an upload: the original, private, until its job made the variants."""
    return f"staging/images/{image_key}"


def original_keys(image_key: str) -> tuple[str, str]:
    """The two private places an image's original can be: its upload's claim check, then an
    upload stored before variants existed."""
    return image_staging_key(image_key), legacy_image_key(image_key)


def image_variant_key(image_key: str, width: int, ext: str) -> str:
    """An immutable variant at most ``width`` pixels wide (the width asked for; its real size
    is in its custom metadata): written once (create-only), served to the public."""
    return f"variants/{image_key}/{width}w.{ext}"


def kv_test_key(test_id: str) -> str:
    """KV entry holding ``{"rev", "doc"}`` of a published test (a cache, never the truth)."""
    return f"{KV_TEST_PREFIX}{test_id}"


def card_key(card_hash: str) -> str:
    """An immutable preview card, named by the hash of what it shows (written create-only)."""
    return f"cards/{card_hash}.png"


def card_manifest_key(test_id: str, rev: str) -> str:
    """The cards of one published revision: ``{"v", "test", "results"}`` (``CardManifest``)."""
    return f"cards/manifests/{test_id}/{rev}.json"
