"""The names the pipeline runs on: its queues, its Workflow and its message types.

Written once here; ``wrangler.toml``/``wrangler.consumer.toml`` must use the same names (checked
by ``tests/deploy``), and the local platform wires its broker and engine with them.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "SAVE_QUEUE",
    "DEAD_LETTER_QUEUE",
    "SAVE_WORKFLOW",
    "MessageType",
    "MESSAGE_TYPES",
    "SAVE_TEST",
    "DELETE_TEST",
    "REINDEX_SEARCH",
    "PROCESS_IMAGE",
    "REPROCESS_IMAGES",
    "CONSUMER_ONLY",
]

SAVE_QUEUE = "quizhub-save"
DEAD_LETTER_QUEUE = "quizhub-save-dlq"
# The Workflow that runs a job's steps in SAVE_MODE=workflow (instance id = job id).
SAVE_WORKFLOW = "save-test"

MessageType = Literal[
    "save-test", "delete-test", "reindex-search", "process-image", "reprocess-images"
]
MESSAGE_TYPES: tuple[MessageType, ...] = get_args(MessageType)
SAVE_TEST, DELETE_TEST, REINDEX_SEARCH, PROCESS_IMAGE, REPROCESS_IMAGES = MESSAGE_TYPES
# Jobs over many items that the queue consumer runs itself, also in SAVE_MODE=workflow.
CONSUMER_ONLY: frozenset[MessageType] = frozenset({REINDEX_SEARCH, REPROCESS_IMAGES})
