"""The ONE composition point on Cloudflare: the Worker's ``env`` -> ``quizhub.bindings.Bindings``.

Works with the SDK-wrapped ``self.env`` (workerd) and with a raw JS env (Miniflare's
``getPlatformProxy``): the adapters unwrap and convert explicitly.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from quizhub.bindings import AccessConfig, Bindings, Settings, settings_from_vars, wall_clock_ms
from quizhub.cloudflare._ffi import from_js, unwrap
from quizhub.edge.access import AccessVerifier
from quizhub.edge.cdn import has_zone_purge
from quizhub.ports import Purger, QueueProducer

__all__ = ["access_verifier", "bindings_from_env", "settings_from_env"]


def _var(env: Any, name: str) -> str:
    """A var or secret as a string; "" when unset."""
    value = from_js(getattr(env, name, None))
    return "" if value is None else str(value)


def _binding(env: Any, name: str) -> Any:
    value = getattr(env, name, None)
    if value is None:
        raise RuntimeError(f"Worker binding {name} is missing (see wrangler.toml)")
    return value


def _has(env: Any, name: str) -> bool:
    return getattr(env, name, None) is not None


class UnboundQueue:
    """The producer of a job queue this Worker does not bind (the consumer Worker sends no
    jobs): sending to it is an error that names the binding."""

    def __init__(self, binding: str) -> None:
        self.binding = binding

    def _refuse(self) -> RuntimeError:
        return RuntimeError(f"{self.binding} is not bound in this Worker (wrangler.toml binds it)")

    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        raise self._refuse()

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        raise self._refuse()


def _job_queue(env: Any, binding: str) -> QueueProducer:
    """The producer of a job queue (SAVE_QUEUE, IMAGE_QUEUE), or one that says it is unbound."""
    from quizhub.cloudflare.queue import QueueProducerAdapter

    if _has(env, binding):
        return QueueProducerAdapter(getattr(env, binding))
    return UnboundQueue(binding)


def settings_from_env(env: Any) -> Settings:
    """``quizhub.bindings.settings_from_vars`` over the Worker's vars and secrets, plus
    PUBLIC_ORIGIN."""
    raw = unwrap(env)
    settings = settings_from_vars(lambda name: _var(raw, name))
    origin = _var(raw, "PUBLIC_ORIGIN").rstrip("/")
    return replace(settings, public_origin=origin) if origin else settings


def bindings_from_env(env: Any) -> Bindings:
    """Adapters over DB, BUCKET, KV, SAVE_QUEUE and IMAGE_QUEUE (the API Worker's job queues),
    SAVE_WF and IMAGES (consumer), ANALYTICS_QUEUE and HYPERDRIVE (play analytics), INDEX_QUEUE
    (search), ``caches.default`` and the global purge.

    Invalidation runs in the queue consumer, whose own Cache API caches nothing (no route) and
    could not reach other data centres anyway: the zone purge is the only purge that works.
    Without it, ``NoGlobalPurge`` and the short edge TTL of ``quizhub.edge.cdn`` bound staleness."""
    from quizhub.edge.cdn import NoGlobalPurge, ZonePurger  # noqa: I001
    from quizhub.cloudflare.cache import CfCache
    from quizhub.cloudflare.d1 import D1
    from quizhub.analytics.events import ANALYTICS_BINDING
    from quizhub.cloudflare.fetch import js_fetch
    from quizhub.cloudflare.hyperdrive import HYPERDRIVE_BINDING, HyperdriveDatabase
    from quizhub.cloudflare.images import ImagesAdapter
    from quizhub.cloudflare.kv import KV
    from quizhub.cloudflare.push import LIVE_BINDING, DurableLiveChannel
    from quizhub.cloudflare.queue import QueueProducerAdapter
    from quizhub.cloudflare.r2 import R2
    from quizhub.cloudflare.ratelimit import RateLimitAdapter
    from quizhub.cloudflare.vectorize import VectorizeAdapter, WorkersAI
    from quizhub.edge.ratelimits import RULES
    from quizhub.cloudflare.workflow import WorkflowAdapter
    from quizhub.search.indexing import INDEX_BINDING

    raw = unwrap(env)
    settings = settings_from_env(raw)
    purger: Purger = NoGlobalPurge()
    if has_zone_purge(settings):
        purger = ZonePurger(js_fetch, settings.cf_api_token, settings.cf_zone_id)
    return Bindings(
        db=D1(_binding(raw, "DB")),
        bucket=R2(_binding(raw, "BUCKET")),
        kv=KV(_binding(raw, "KV")),
        queue=_job_queue(raw, "SAVE_QUEUE"),
        image_queue=_job_queue(raw, "IMAGE_QUEUE"),
        cache=CfCache(),
        purger=purger,
        settings=settings,
        workflow=WorkflowAdapter(raw.SAVE_WF) if _has(raw, "SAVE_WF") else None,
        # Remote-only bindings: absent under `wrangler dev --local`, where search is keyword-only.
        vectorize=VectorizeAdapter(raw.VECTORIZE) if _has(raw, "VECTORIZE") else None,
        ai=WorkersAI(raw.AI) if _has(raw, "AI") else None,
        live=DurableLiveChannel(getattr(raw, LIVE_BINDING)) if _has(raw, LIVE_BINDING) else None,
        rate_limits={
            rule.binding: RateLimitAdapter(getattr(raw, rule.binding))
            for rule in RULES
            if _has(raw, rule.binding)
        },
        access=access_verifier(settings),
        # Play analytics: the API Worker sends events and reads stats, the consumer Worker
        # writes them; each binds only what it uses.
        analytics_queue=QueueProducerAdapter(getattr(raw, ANALYTICS_BINDING))
        if _has(raw, ANALYTICS_BINDING)
        else None,
        analytics=HyperdriveDatabase(getattr(raw, HYPERDRIVE_BINDING))
        if _has(raw, HYPERDRIVE_BINDING)
        else None,
        # The consumer Worker's Images binding (image variants); the API Worker has none.
        images=ImagesAdapter(raw.IMAGES) if _has(raw, "IMAGES") else None,
        # Search's index queue: the save jobs of both Workers (sync mode runs in the API Worker)
        # send to it; the consumer Worker consumes it.
        index_queue=QueueProducerAdapter(getattr(raw, INDEX_BINDING))
        if _has(raw, INDEX_BINDING)
        else None,
    )


# One verifier per Access application per isolate: its key cache outlives a request.
_VERIFIERS: dict[AccessConfig, AccessVerifier] = {}


def access_verifier(settings: Settings) -> AccessVerifier | None:
    """The isolate's verifier for the configured Access application (None: not configured)."""
    from quizhub.cloudflare.access import WebCryptoSignatureCheck, jwks_url  # noqa: I001
    from quizhub.cloudflare.fetch import js_fetch

    config = settings.access
    if config is None:
        return None
    if config not in _VERIFIERS:
        _VERIFIERS[config] = AccessVerifier(
            config, jwks_url(config, js_fetch), WebCryptoSignatureCheck(), wall_clock_ms
        )
    return _VERIFIERS[config]
