"""The local dev server: API + queue consumers + static site on one port (like ``wrangler dev``)."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from quizhub.bindings import Settings
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.host._gateway import Gateway
from quizhub.local.host._protocol import HeaderDeadlineH11
from quizhub.local.host._seed import Seeded, seed_demo_tests
from quizhub.local.host._static import StaticSite
from quizhub.local.platform import ROOT, LocalPlatform, Wrap, build_platform
from quizhub.local.postgres import AnalyticsServer, open_analytics
from quizhub.pipeline.accept import accept_reindex

__all__ = ["serve", "banner", "SWITCH_INTERVAL_S"]

SWITCH_INTERVAL_S = 0.001


def _lifespan(platform: LocalPlatform) -> Any:
    """Start the platform's consumers, engine and sweep with the server; stop them with it."""
    stop = asyncio.Event()
    running: list[asyncio.Task[None]] = []

    async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                running.append(asyncio.create_task(platform.serve(stop)))
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                stop.set()
                await asyncio.gather(*running, return_exceptions=True)
                platform.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return lifespan


def _latency(latency_ms: float) -> Wrap | None:
    if not latency_ms:
        return None
    plan = FaultPlan(latency_ms=latency_ms, targets=(*FaultPlan().targets, "live"))
    return lambda b: with_faults(b, plan)


def _check_port_free(host: str, port: int) -> None:
    """Fail early with a hint instead of uvicorn's bare "address already in use"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise SystemExit(
                f"port {port} on {host} is already in use (another `make dev`?). "
                f"Stop it, or pick another port: PORT={port + 1} make dev"
            ) from None


def banner(
    base: str,
    data_dir: Path,
    settings: Settings,
    token_note: str,
    seeded: Seeded,
    analytics: str = "",
) -> str:
    """What ``make dev`` prints: where to click, the token, where the data lives."""
    lines = [
        "",
        f"  quizhub is running ({settings.save_mode} mode)",
        f"  ▸ public site   {base}/",
        f"  ▸ admin         {base}/admin/",
        f"  ▸ API docs      {base}/api/docs",
        f"  ▸ admin token   {settings.admin_token}  {token_note}",
        f"  ▸ data          {data_dir}",
    ]
    if analytics:
        lines.append(f"  ▸ analytics     {analytics}")
    if seeded.total:
        lines.append(f"  ▸ seeded {seeded.describe()} (first run)")
    lines += ["  Ctrl+C to stop; data stays in the data directory.", ""]
    return "\n".join(lines)


async def serve(
    *,
    host: str,
    port: int,
    data_dir: Path,
    settings: Settings,
    token_note: str = "",
    public_dir: Path = ROOT / "public",
    rate_limits: bool = True,
    latency_ms: float = 0,
    trusted_proxies: str = "",
) -> None:
    """Open the platform under ``data_dir``, seed on first run, and serve until interrupted.
    ``latency_ms`` adds that much to every binding call, the live channel's included (the
    benchmarks' model of a Worker's round trips; 0 = the local bindings' own speed).
    ``trusted_proxies`` (comma-separated addresses) may set the client address with
    ``X-Forwarded-For``; by default nobody can, and the socket's peer is the client."""
    _check_port_free(host, port)
    # CPU-bound consumer work (embeddings, image variants) runs in threads; a thread in pure
    # Python keeps the GIL for the switch interval (5 ms by default), which a request on the
    # event loop then waits out. 1 ms bounds that wait without measurable cost to the threads.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    analytics = _analytics(data_dir)
    try:
        await _serve(
            host,
            port,
            data_dir,
            settings,
            token_note,
            public_dir,
            rate_limits,
            latency_ms,
            analytics,
            trusted_proxies,
        )
    finally:
        if isinstance(analytics, AnalyticsServer):
            analytics.close()  # stops the embedded PostgreSQL with the dev server


def _analytics(data_dir: Path) -> AnalyticsServer | str:
    """Play analytics' Postgres (started and migrated), or why there is none: the site still
    serves, and the banner says that events wait in the queue."""
    try:
        return open_analytics(data_dir)
    except Exception as exc:  # noqa: BLE001 - reported in the banner, the site still serves
        return f"UNAVAILABLE ({exc}); play events wait in the queue, stats answer 503"


async def _serve(
    host: str,
    port: int,
    data_dir: Path,
    settings: Settings,
    token_note: str,
    public_dir: Path,
    rate_limits: bool,
    latency_ms: float,
    analytics: AnalyticsServer | str,
    trusted_proxies: str,
) -> None:
    server_of = analytics if isinstance(analytics, AnalyticsServer) else None
    platform = build_platform(
        data_dir,
        settings,
        rate_limits=rate_limits,
        wrap=_latency(latency_ms),
        analytics=server_of.params if server_of is not None else None,
        isolate_cpu_work=True,  # embedding and cards must not hold the loop's GIL
    )
    if server_of is not None:
        # Closed with the platform (the lifespan's shutdown), i.e. before uvicorn re-raises a
        # SIGTERM it caught: the embedded PostgreSQL stops with the dev server.
        platform.closers.insert(0, server_of.close)
    seeded = await seed_demo_tests(platform)
    if platform.vectors_rebuilt:  # the vector index was set aside: the server's runner rebuilds it
        await accept_reindex(platform.bindings)
    live = platform.live.endpoint(platform.bindings)
    app = Gateway(platform.app(), StaticSite(public_dir), _lifespan(platform), live)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_level="warning",
        access_log=False,
        http=HeaderDeadlineH11,  # a slow client's headers time out (408)
        # Per-client rate limits key on the client address: a header may change it only when it
        # comes from a proxy named here (uvicorn otherwise trusts 127.0.0.1, i.e. everyone local).
        proxy_headers=bool(trusted_proxies.strip()),
        forwarded_allow_ips=trusted_proxies.strip() or None,
    )
    server = uvicorn.Server(config)
    base = f"http://{host}:{port}"
    where = server_of.describe() if server_of is not None else str(analytics)
    print(banner(base, data_dir, platform.bindings.settings, token_note, seeded, where), flush=True)
    await server.serve()
