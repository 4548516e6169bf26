"""Id patterns written once (docs/architecture.md#ids). They also keep R2 keys and local file
paths inside their roots. Pydantic-free: the queue consumer checks messages with them inside
Pyodide."""

from __future__ import annotations

import re

from quizhub.domain.images import EXTENSIONS

__all__ = ["TEST_ID_PATTERN", "ITEM_ID_PATTERN", "IMAGE_KEY_PATTERN", "is_test_id", "is_image_key"]

TEST_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
ITEM_ID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
# An uploaded image's key: its content hash and the extension of its format.
IMAGE_KEY_PATTERN = rf"^[0-9a-f]{{32}}\.({'|'.join(EXTENSIONS)})$"
_TEST_ID = re.compile(TEST_ID_PATTERN)
_IMAGE_KEY = re.compile(IMAGE_KEY_PATTERN)


def is_test_id(value: object) -> bool:
    """True when ``value`` is a well-formed test id."""
    return isinstance(value, str) and bool(_TEST_ID.match(value))


def is_image_key(value: object) -> bool:
    """True when ``value`` is a well-formed image key (it also keeps R2 keys in their prefix)."""
    return isinstance(value, str) and bool(_IMAGE_KEY.match(value))
