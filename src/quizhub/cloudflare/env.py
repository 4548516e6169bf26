"""The ONE composition point on Cloudflare: the Worker's ``env`` -> ``quizhub.bindings.Bindings``.

Works with the SDK-wrapped ``self.env`` (workerd) and with a raw JS env (Miniflare's
``getPlatformProxy``): the adapters unwrap and convert explicitly.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from quizhub.bindings import Bindings, Settings, parse_save_mode
from quizhub.cloudflare._ffi import from_js, unwrap

__all__ = ["bindings_from_env", "settings_from_env"]


def _var(env: Any, name: str) -> str:
    """A var or secret as a string; "" when unset."""
    value = from_js(getattr(env, name, None))
    return "" if value is None else str(value)


def _binding(env: Any, name: str) -> Any:
    value = getattr(env, name, None)
    if value is None:
        raise RuntimeError(f"Worker binding {name} is missing (see wrangler.toml)")
    return value


def settings_from_env(env: Any) -> Settings:
    """Vars and secrets: ADMIN_TOKEN, JOB_SECRET, SAVE_MODE, CF_API_TOKEN, CF_ZONE_ID and
    PUBLIC_ORIGIN."""
    raw = unwrap(env)
    save_mode = parse_save_mode(_var(raw, "SAVE_MODE"))
    settings = Settings(
        admin_token=_var(raw, "ADMIN_TOKEN"),
        job_secret=_var(raw, "JOB_SECRET"),
        save_mode=save_mode,
        cf_api_token=_var(raw, "CF_API_TOKEN"),
        cf_zone_id=_var(raw, "CF_ZONE_ID"),
    )
    origin = _var(raw, "PUBLIC_ORIGIN").rstrip("/")
    return replace(settings, public_origin=origin) if origin else settings


def bindings_from_env(env: Any) -> Bindings:
    """Adapters over DB, BUCKET, KV, SAVE_QUEUE, ``caches.default`` and the purge client."""
    from quizhub.cdn import CachePurger, CompositePurger, ZonePurger
    from quizhub.cloudflare.cache import CfCache
    from quizhub.cloudflare.d1 import D1
    from quizhub.cloudflare.fetch import js_fetch
    from quizhub.cloudflare.kv import KV
    from quizhub.cloudflare.queue import QueueProducerAdapter
    from quizhub.cloudflare.r2 import R2
    from quizhub.cloudflare.workflow import WorkflowAdapter

    raw = unwrap(env)
    settings = settings_from_env(raw)
    cache = CfCache()
    local_purge = CachePurger(cache)
    if settings.cf_api_token and settings.cf_zone_id:
        # This data centre at once, then every data centre through the zone purge API.
        zone = ZonePurger(js_fetch, settings.cf_api_token, settings.cf_zone_id)
        purger: Any = CompositePurger([local_purge, zone])
    else:
        purger = local_purge
    return Bindings(
        db=D1(_binding(raw, "DB")),
        bucket=R2(_binding(raw, "BUCKET")),
        kv=KV(_binding(raw, "KV")),
        queue=QueueProducerAdapter(_binding(raw, "SAVE_QUEUE")),
        cache=cache,
        purger=purger,
        settings=settings,
        workflow=WorkflowAdapter(raw.SAVE_WF)
        if getattr(raw, "SAVE_WF", None) is not None
        else None,
    )
