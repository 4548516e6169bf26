"""The local platform's composition root: builds every binding from one data directory.

Layout of ``data_dir``: ``d1.sqlite`` (D1), ``r2/`` (R2), ``kv.sqlite`` (KV), ``queue.sqlite``
(the durable queue broker), ``workflows.sqlite`` (the workflow engine, in workflow mode). The Cache API lives in memory, per process, like a data centre.
Consumer settings (batching, retries, DLQ) come from ``wrangler.consumer.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from quizhub.bindings import Bindings, Settings, wall_clock_ms
from quizhub.local.cache import LocalCache, LocalCachePurger
from quizhub.local.d1 import LocalD1
from quizhub.local.kv import LocalKV
from quizhub.local.queues import ConsumerSettings, load_consumer_settings
from quizhub.local.r2 import LocalR2

__all__ = ["ROOT", "SAVE_QUEUE", "DLQ", "LocalPlatform", "build_platform"]

ROOT = Path(__file__).resolve().parents[3]
SAVE_QUEUE = "quizhub-save"
DLQ = "quizhub-save-dlq"
WORKFLOW_NAME = "save-test"


@dataclass
class LocalPlatform:
    """Bindings plus the pieces only the local platform has (broker, consumer settings)."""

    data_dir: Path
    bindings: Bindings
    consumers: dict[str, ConsumerSettings]
    broker: Any
    closers: list[Any] = field(default_factory=list)
    # The durable workflow engine (SAVE_MODE=workflow only).
    engine: Any = None

    def make_consumers(self) -> list[Any]:
        """Consumers for the save queue and its dead-letter queue, wired to the pipeline."""
        from quizhub.local.queues import LocalQueueConsumer
        from quizhub.pipeline.consumer import handle_batch, handle_dlq_batch

        b = self.bindings

        async def on_save(batch: Any) -> None:
            await handle_batch(batch, b)

        async def on_dead(batch: Any) -> None:
            await handle_dlq_batch(batch, b)

        return [
            LocalQueueConsumer(self.broker, SAVE_QUEUE, on_save),
            LocalQueueConsumer(self.broker, DLQ, on_dead),
        ]

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def build_platform(
    data_dir: Path,
    settings: Settings,
    *,
    clock_ms: Any = wall_clock_ms,
    root: Path = ROOT,
    kv_lag_ms: int = 0,
) -> LocalPlatform:
    """Open (and migrate) the local bindings under ``data_dir``."""
    from quizhub.local.queues import LocalQueueBroker, LocalQueueProducer

    data_dir.mkdir(parents=True, exist_ok=True)
    consumers = load_consumer_settings(root / "wrangler.consumer.toml")
    if SAVE_QUEUE in consumers:
        settings = replace(settings, max_retries=consumers[SAVE_QUEUE].max_retries)
    db = LocalD1(data_dir / "d1.sqlite", migrations_dir=root / "migrations")
    db.apply_migrations()
    bucket = LocalR2(data_dir / "r2", clock_ms=clock_ms)
    kv = LocalKV(data_dir / "kv.sqlite", clock_ms, lag_ms=kv_lag_ms)
    cache = LocalCache(clock_ms)
    broker = LocalQueueBroker(data_dir / "queue.sqlite", consumers, clock_ms=clock_ms)
    bindings = Bindings(
        db=db,
        bucket=bucket,
        kv=kv,
        queue=LocalQueueProducer(broker, SAVE_QUEUE),
        cache=cache,
        purger=LocalCachePurger(cache),
        settings=settings,
        clock_ms=clock_ms,
    )
    closers = [db.close, bucket.close, kv.close, broker.close]
    engine = None
    if settings.save_mode == "workflow":
        engine = _workflow_engine(data_dir, bindings, clock_ms)
        closers.append(engine.close)
    return LocalPlatform(data_dir, bindings, consumers, broker, closers, engine)


def _workflow_engine(data_dir: Path, bindings: Bindings, clock_ms: Any) -> Any:
    """The local stand-in for the "save-test" Workflow, wired like wrangler.consumer.toml says."""
    from quizhub.errors import NonRetryableError
    from quizhub.local.workflows import LocalWorkflowBinding, LocalWorkflowEngine
    from quizhub.pipeline.workflow import run_save_workflow

    engine = LocalWorkflowEngine(data_dir / "workflows.sqlite", clock_ms=clock_ms)

    async def run(event: Any, step: Any) -> Any:
        return await run_save_workflow(event, step, bindings, NonRetryableError)

    engine.register(WORKFLOW_NAME, run)
    bindings.workflow = LocalWorkflowBinding(engine, WORKFLOW_NAME)
    return engine
