"""The local dev server: API + queue consumers + static site on one port (like ``wrangler dev``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path
from typing import Any

import uvicorn

from quizhub.api.app import create_app
from quizhub.bindings import Settings
from quizhub.local.host._gateway import Gateway
from quizhub.local.host._seed import seed_demo_tests
from quizhub.local.host._static import StaticSite
from quizhub.local.platform import ROOT, LocalPlatform, build_platform
from quizhub.pipeline.consumer import sweep_stuck_jobs

__all__ = ["serve", "SWEEP_INTERVAL_S"]

log = logging.getLogger("quizhub.local")
SWEEP_INTERVAL_S = 60


async def _sweep_forever(platform: LocalPlatform, stop: asyncio.Event) -> None:
    """The local stand-in for the consumer Worker's cron trigger."""
    while not stop.is_set():
        try:
            await sweep_stuck_jobs(platform.bindings)
        except Exception:  # noqa: BLE001 - keep sweeping; the next run may succeed
            log.exception("stuck-job sweep failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), SWEEP_INTERVAL_S)


def _lifespan(platform: LocalPlatform) -> Any:
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                tasks.extend(asyncio.create_task(c.serve(stop)) for c in platform.make_consumers())
                if platform.engine is not None:
                    tasks.append(asyncio.create_task(platform.engine.serve(stop)))
                tasks.append(asyncio.create_task(_sweep_forever(platform, stop)))
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
                platform.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return lifespan


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


def _banner(host: str, port: int, settings: Settings, token_note: str, seeded: int) -> str:
    base = f"http://{host}:{port}"
    lines = [
        "",
        f"  quizhub is running ({settings.save_mode} mode)",
        f"  ▸ public site   {base}/",
        f"  ▸ admin         {base}/admin/",
        f"  ▸ API docs      {base}/api/docs",
        f"  ▸ admin token   {settings.admin_token}  {token_note}",
    ]
    if seeded:
        lines.append(f"  ▸ seeded {seeded} demo tests (first run)")
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
) -> None:
    """Open the platform under ``data_dir``, seed on first run, and serve until interrupted."""
    _check_port_free(host, port)
    platform = build_platform(data_dir, settings)
    seeded = await seed_demo_tests(platform)
    app = Gateway(create_app(), platform.bindings, StaticSite(public_dir), _lifespan(platform))
    config = uvicorn.Config(
        app, host=host, port=port, lifespan="on", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    print(_banner(host, port, platform.bindings.settings, token_note, seeded), flush=True)
    await server.serve()
