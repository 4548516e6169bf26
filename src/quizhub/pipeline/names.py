"""The names the pipeline runs on: its queues, its Workflow, its message types and which queue
carries which type.

Written once here; ``wrangler.toml``/``wrangler.consumer.toml`` must use the same names (checked
by ``tests/deploy``), and the local platform wires its broker and engine with them.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "SAVE_QUEUE",
    "DEAD_LETTER_QUEUE",
    "IMAGE_QUEUE",
    "IMAGE_DLQ",
    "SAVE_WORKFLOW",
    "MessageType",
    "MESSAGE_TYPES",
    "SAVE_TEST",
    "DELETE_TEST",
    "REINDEX_SEARCH",
    "PROCESS_IMAGE",
    "REPROCESS_IMAGES",
    "CONSUMER_ONLY",
    "IMAGE_JOBS",
    "queue_of",
]

SAVE_QUEUE = "quizhub-save"
DEAD_LETTER_QUEUE = "quizhub-save-dlq"
# Image jobs have a queue of their own, consumed one message per invocation (max_batch_size = 1
# in wrangler.consumer.toml): an isolate's 128 MB then holds one image job's variants at a time,
# never ten (docs/images.md#memory). Its dead letters get the save queue's DLQ handler.
IMAGE_QUEUE = "quizhub-images"
IMAGE_DLQ = "quizhub-images-dlq"
# The Workflow that runs a job's steps in SAVE_MODE=workflow (instance id = job id).
SAVE_WORKFLOW = "save-test"

MessageType = Literal[
    "save-test", "delete-test", "reindex-search", "process-image", "reprocess-images"
]
MESSAGE_TYPES: tuple[MessageType, ...] = get_args(MessageType)
SAVE_TEST, DELETE_TEST, REINDEX_SEARCH, PROCESS_IMAGE, REPROCESS_IMAGES = MESSAGE_TYPES
# Jobs over many items that the queue consumer runs itself, also in SAVE_MODE=workflow.
CONSUMER_ONLY: frozenset[MessageType] = frozenset({REINDEX_SEARCH, REPROCESS_IMAGES})
# The messages that travel on IMAGE_QUEUE; every other type travels on SAVE_QUEUE.
IMAGE_JOBS: frozenset[MessageType] = frozenset({PROCESS_IMAGE, REPROCESS_IMAGES})


def queue_of(kind: MessageType) -> str:
    """The queue a message of type ``kind`` is sent to (the accept path's one rule)."""
    return IMAGE_QUEUE if kind in IMAGE_JOBS else SAVE_QUEUE
