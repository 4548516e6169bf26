"""``python -m quizhub.local serve|migrate|seed|reindex|analytics-migrate|reprocess-images`` —
the local platform's command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from quizhub.bindings import (
    SAVE_MODES,
    ConfigError,
    Settings,
    parse_save_mode,
    settings_from_vars,
)
from quizhub.local.datadir import D1_FILE, DataDirError
from quizhub.local.host._devvars import ensure_admin_token, read_dev_vars
from quizhub.local.platform import ROOT, build_platform

__all__ = ["main", "DEFAULT_PORT"]

DEFAULT_PORT = 8787


def _settings(mode: str, public_origin: str) -> tuple[Settings, str]:
    dev_vars = ROOT / ".dev.vars"
    token, created = ensure_admin_token(dev_vars)
    values = {**read_dev_vars(dev_vars), **os.environ}
    settings = replace(
        settings_from_vars(lambda name: values.get(name, "")),
        admin_token=token,
        save_mode=parse_save_mode(mode),
        public_origin=public_origin,
        access_jwks_file=values.get("CF_ACCESS_JWKS_FILE", ""),
    )
    return settings, "(new: saved to .dev.vars)" if created else "(from ADMIN_TOKEN / .dev.vars)"


def _port(value: str) -> int:
    """A TCP port number, or an argparse error that says what is wrong in one line."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (try PORT=8787)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1–65535)")
    return port


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage block: ``make dev`` users mostly mistype an env var."""
        self.exit(2, f"{self.prog}: {message} (--help for usage)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m quizhub.local", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "seed", "reindex", "analytics-migrate", "reprocess-images"],
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=_port, default=os.environ.get("PORT", str(DEFAULT_PORT)), help="or PORT"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("QUIZHUB_DATA", ROOT / ".data"))
    )
    parser.add_argument("--mode", choices=SAVE_MODES, default=os.environ.get("SAVE_MODE", "queue"))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings, token_note = _settings(args.mode, f"http://{args.host}:{args.port}")
        return _command(args, settings, token_note)
    except (DataDirError, ConfigError) as exc:
        # A damaged data dir or a setting that cannot work: one line that names it and what to
        # do, no traceback.
        print(f"python -m quizhub.local: {exc}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace, settings: Settings, token_note: str) -> int:
    if args.command == "migrate":
        build_platform(args.data_dir, settings).close()
        print(f"migrations applied to {args.data_dir / D1_FILE}")
        return 0
    if args.command == "analytics-migrate":
        from quizhub.local.postgres import open_analytics

        server = open_analytics(args.data_dir)  # migrates (ANALYTICS_DATABASE_URL or embedded)
        try:
            print(f"analytics migrations applied to {server.describe()}")
        finally:
            server.close()
        return 0
    if args.command == "seed":
        from quizhub.local.host._seed import seed_demo_tests

        platform = build_platform(args.data_dir, settings)
        try:
            seeded = asyncio.run(seed_demo_tests(platform, force=True))
        finally:
            platform.close()
        print(f"seeded {seeded.describe()} into {args.data_dir}")
        return 0
    if args.command == "reindex":
        from quizhub.search.reindex import reindex_all

        platform = build_platform(args.data_dir, settings)
        try:
            done = asyncio.run(reindex_all(platform.bindings))
        finally:
            platform.close()
        print(f"{done.describe()} in {args.data_dir}")
        return 0
    if args.command == "reprocess-images":
        return _reprocess_images(args.data_dir, settings)
    from quizhub.local.host._server import serve

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                host=args.host,
                port=args.port,
                data_dir=args.data_dir,
                settings=settings,
                token_note=token_note,
                # QUIZHUB_RATE_LIMITS=off: for test servers that save faster than any editor.
                rate_limits=os.environ.get("QUIZHUB_RATE_LIMITS", "on") != "off",
                # QUIZHUB_LATENCY_MS=10: model a Worker's binding round trips (make bench-push).
                latency_ms=float(os.environ.get("QUIZHUB_LATENCY_MS", "0") or 0),
                # QUIZHUB_TRUSTED_PROXIES=10.0.0.5: a reverse proxy whose X-Forwarded-For counts.
                trusted_proxies=os.environ.get("QUIZHUB_TRUSTED_PROXIES", ""),
            )
        )
    return 0


def _reprocess_images(data_dir: Path, settings: Settings) -> int:
    """Accept the reprocessing job (as ``POST /api/admin/reprocess-images`` does), run the
    consumer until nothing is due, and print how the job stands."""
    from quizhub.pipeline.accept import accept_reprocess_images
    from quizhub.store.jobs import JobsRepo

    async def run() -> str:
        platform = build_platform(data_dir, settings)
        try:
            accepted = await accept_reprocess_images(platform.bindings)
            await platform.drain()
            row = await JobsRepo(platform.bindings.db).get(accepted.job_id)
        finally:
            platform.close()
        if row is None:
            return f"job {accepted.job_id} is queued: `make dev` will run it"
        note = f" ({row.error})" if row.error else ""
        return f"job {row.job_id}: {row.status}{note}"

    print(f"reprocess-images in {data_dir}: {asyncio.run(run())}")
    return 0
