"""The Python half of ``make deploy-check`` (offline; wrangler's dry runs are the other half).

    scripts/deploy_check.py configs          both Wrangler configs run the same Python runtime
    scripts/deploy_check.py bundles DIR…     each dry-run bundle's size against the 64 MiB limit
                                             (python_modules/ counts when pywrangler made it)

pywrangler takes the Python version (and so the Pyodide packages it vendors) from the root
wrangler.toml alone, also when it deploys wrangler.consumer.toml: both configs must name the same
``compatibility_date`` and ``compatibility_flags``, or the consumer Worker would run packages
resolved for another runtime.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from quizhub.ports.limits import REQUIRED_PLAN  # noqa: E402

CONFIGS = (ROOT / "wrangler.toml", ROOT / "wrangler.consumer.toml")
RUNTIME_KEYS = ("compatibility_date", "compatibility_flags")
# A Worker's upload may be this large, uncompressed (every plan).
BUNDLE_LIMIT = REQUIRED_PLAN.worker_size_mib * 1024 * 1024
MIB = 1024 * 1024


def runtime(path: Path) -> dict[str, str]:
    """The keys of ``path`` that pick the Python runtime (the flags as a sorted list, shown)."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        "compatibility_date": str(config.get("compatibility_date")),
        "compatibility_flags": ", ".join(sorted(config.get("compatibility_flags", []))),
    }


def config_differences(first: Path, second: Path) -> list[str]:
    """How the runtime keys of two configs differ (empty when they agree)."""
    a, b = runtime(first), runtime(second)
    return [
        f"{key}: {first.name} has [{a[key]}], {second.name} has [{b[key]}]"
        for key in RUNTIME_KEYS
        if a[key] != b[key]
    ]


def bundle_files(directory: Path) -> list[Path]:
    """The files wrangler wrote to a ``--outdir`` for upload (its own README.md left out)."""
    return [
        p
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.relative_to(directory) != Path("README.md")
    ]


def bundle_bytes(directory: Path) -> int:
    """The uncompressed size of a dry-run bundle."""
    return sum(p.stat().st_size for p in bundle_files(directory))


def check_configs() -> int:
    first, second = CONFIGS
    problems = config_differences(first, second)
    if problems:
        print("the Wrangler configs would run different Python runtimes:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    keys = runtime(first)
    print(
        f"configs: {first.name} and {second.name} share compatibility_date"
        f" {keys['compatibility_date']} and compatibility_flags [{keys['compatibility_flags']}]"
        " (pywrangler reads the Python version from wrangler.toml only)"
    )
    return 0


def report_bundles(directories: list[Path]) -> int:
    vendored = (ROOT / "python_modules").is_dir()
    status = 0
    for directory in directories:
        size = bundle_bytes(directory)
        files = len(bundle_files(directory))
        share = 100 * size / BUNDLE_LIMIT
        label = directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory
        print(
            f"bundle {label}: {files} files, {size / MIB:.2f} MiB of the"
            f" {BUNDLE_LIMIT // MIB} MiB limit"
            f" ({share:.1f}%)"
        )
        if size > BUNDLE_LIMIT:
            print("  over the limit", file=sys.stderr)
            status = 1
    if not vendored:
        print(
            "  python_modules/ is absent, so these sizes leave out the vendored packages:"
            " pywrangler vendors them during `make deploy` and needs the network for it"
            " (the Pyodide interpreter and package index)"
        )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/deploy_check.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("configs", help="compare the runtime keys of both Wrangler configs")
    bundles = sub.add_parser("bundles", help="report the size of dry-run bundles")
    bundles.add_argument("directories", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "configs":
        return check_configs()
    return report_bundles([d.resolve() for d in args.directories])


if __name__ == "__main__":
    sys.exit(main())
