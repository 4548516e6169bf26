"""Ports: Protocols shaped like the subset of Cloudflare binding APIs that quizhub uses.

Values crossing these ports are Python-native (dict, list, bytes, str, int, None). Keyword
arguments are snake_case; the Cloudflare adapters translate them to the JS camelCase names
(``http_metadata`` -> ``httpMetadata``). Every method that does I/O is async, as in Workers.

Two implementations exist: ``quizhub.local`` (SQLite/files, CPython) and ``quizhub.cloudflare``
(JS bindings, Pyodide). One contract test suite runs against both.

Grouped by concern: ``storage`` (D1, R2, KV), ``delivery`` (Queues, Workflows), ``edge`` (Cache
API, purge, rate limits, live status, Access) and ``services`` (Vectorize, Workers AI, Images, the
analytics Postgres). Import them from here: ``from quizhub.ports import R2Bucket``. One more
module holds rules rather than Protocols, imported by its own name: ``workflow_config`` (the
Workflows step config: durations, defaults, validation, backoff), which both the pipeline and
the local workflow engine follow.
"""

from __future__ import annotations

from quizhub.ports.delivery import (
    FINITE_STATUSES,
    INSTANCE_STATUSES,
    InstanceStatus,
    MessageBatch,
    QueueMessage,
    QueueProducer,
    StepCallable,
    WorkflowBinding,
    WorkflowInstance,
    WorkflowStep,
)
from quizhub.ports.edge import (
    AccessIdentity,
    Cache,
    CachedResponse,
    HttpFetch,
    LiveChannel,
    Purger,
    RateLimiter,
)
from quizhub.ports.services import (
    EMBED_TEXTS_LIMIT,
    MAX_TOP_K,
    MAX_TOP_K_ALL_METADATA,
    MAX_UPSERT_BATCH,
    RETURN_METADATA,
    AnalyticsDatabase,
    CpuWork,
    ImageInput,
    ImageTransformer,
    PgConnection,
    ReturnMetadata,
    TextEmbedder,
    VectorIndex,
)
from quizhub.ports.storage import (
    D1Database,
    D1Meta,
    D1PreparedStatement,
    D1Result,
    KVListKey,
    KVListResult,
    KVNamespace,
    R2Bucket,
    R2Object,
    R2ObjectBody,
    R2Objects,
    R2Source,
)

__all__ = [
    "ReturnMetadata",
    "RETURN_METADATA",
    "MAX_TOP_K",
    "MAX_TOP_K_ALL_METADATA",
    "MAX_UPSERT_BATCH",
    "EMBED_TEXTS_LIMIT",
    "D1Meta",
    "D1Result",
    "D1PreparedStatement",
    "D1Database",
    "R2Object",
    "R2ObjectBody",
    "R2Objects",
    "R2Bucket",
    "R2Source",
    "KVListKey",
    "KVListResult",
    "KVNamespace",
    "QueueProducer",
    "QueueMessage",
    "MessageBatch",
    "CachedResponse",
    "Cache",
    "Purger",
    "HttpFetch",
    "InstanceStatus",
    "INSTANCE_STATUSES",
    "FINITE_STATUSES",
    "WorkflowInstance",
    "WorkflowBinding",
    "WorkflowStep",
    "RateLimiter",
    "StepCallable",
    "VectorIndex",
    "TextEmbedder",
    "LiveChannel",
    "PgConnection",
    "AnalyticsDatabase",
    "ImageInput",
    "ImageTransformer",
    "CpuWork",
    "AccessIdentity",
]
