"""``python -m quizhub.local serve|migrate|seed`` — the local platform's command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from quizhub.bindings import Settings
from quizhub.local.host import ensure_admin_token, read_dev_vars
from quizhub.local.platform import ROOT, build_platform

DEFAULT_PORT = 8787


def _settings(mode: str) -> tuple[Settings, str]:
    dev_vars = ROOT / ".dev.vars"
    token, created = ensure_admin_token(dev_vars)
    values = {**read_dev_vars(dev_vars), **os.environ}
    settings = Settings(
        admin_token=token,
        job_secret=values.get("JOB_SECRET", ""),
        save_mode=mode,  # type: ignore[arg-type]
        cf_api_token=values.get("CF_API_TOKEN", ""),
        cf_zone_id=values.get("CF_ZONE_ID", ""),
    )
    return settings, "(new: saved to .dev.vars)" if created else "(from ADMIN_TOKEN / .dev.vars)"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m quizhub.local", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "seed"])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", DEFAULT_PORT)))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("QUIZHUB_DATA", ROOT / ".data"))
    )
    parser.add_argument(
        "--mode",
        choices=["queue", "workflow", "sync"],
        default=os.environ.get("SAVE_MODE", "queue"),
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings, token_note = _settings(args.mode)
    if args.command == "migrate":
        platform = build_platform(args.data_dir, settings)
        platform.close()
        print(f"migrations applied to {args.data_dir / 'd1.sqlite'}")
        return 0
    if args.command == "seed":
        from quizhub.local.host import seed_demo_tests

        platform = build_platform(args.data_dir, settings)
        count = asyncio.run(seed_demo_tests(platform, force=True))
        platform.close()
        print(f"seeded {count} demo tests")
        return 0
    from quizhub.local.host._server import serve

    public_origin = f"http://{args.host}:{args.port}"
    settings = replace(settings, public_origin=public_origin)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                host=args.host,
                port=args.port,
                data_dir=args.data_dir,
                settings=settings,
                token_note=token_note,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
