"""``make cf-setup``: create the Cloudflare resources both Workers bind, once, and print the ids.

Every name comes from where it is defined: the D1 database and R2 bucket from wrangler.toml,
the queues from ``quizhub.pipeline.names``, their message retention from
``quizhub.pipeline.policy.QUEUE_RETENTION_SECONDS`` (the same value the sweep uses to decide when
a delayed job has expired), the R2 lifecycle rule for claim-check leftovers from the staging key
layout (``quizhub.store.keys``) and that retention. Run after ``wrangler login``; ``--dry-run``
only prints the commands.
A resource that already exists is reported and skipped, so a second run is harmless.
"""

from __future__ import annotations

import argparse
import math
import os
import posixpath
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from quizhub.analytics.events import ANALYTICS_DLQ, ANALYTICS_QUEUE  # noqa: E402
from quizhub.pipeline.names import (  # noqa: E402
    DEAD_LETTER_QUEUE,
    IMAGE_DLQ,
    IMAGE_QUEUE,
    SAVE_QUEUE,
)
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS  # noqa: E402
from quizhub.search.indexing import INDEX_DLQ, INDEX_QUEUE  # noqa: E402
from quizhub.search.vectors import (  # noqa: E402
    EMBEDDING_DIMENSIONS,
    METADATA_INDEXES,
    VECTOR_INDEX,
)
from quizhub.store.keys import staging_key  # noqa: E402

# The Hyperdrive config in front of the analytics Postgres: its origin comes from this variable
# (postgres://user:password@host:5432/database); the password is never printed.
HYPERDRIVE_NAME = "quizhub-analytics"
ORIGIN_VARIABLE = "HYPERDRIVE_ORIGIN"
# Hyperdrive caches read queries by default (about 60 s, then 15 s stale), so the admin stats
# would lag the events by that much. They are admin-only and few: every query goes to Postgres.
HYPERDRIVE_CACHING = ["--caching-disabled"]
_ID = re.compile(r"(?:database_id|\bid)\s*[=:]\s*\"?([0-9a-f-]{32,36})\"?")

# Claim-check bodies (staging/{jobId}.json) are deleted by the pipeline once their job succeeded
# or was superseded; failed, conflicted and expired jobs keep theirs so 다시 시도 can re-submit
# it. A job can wait for its message up to the queue's retention (QUEUE_RETENTION_SECONDS, then
# it is expired); the margin leaves editors a few more days to retry it. After that an R2
# lifecycle rule removes what is left. Revision objects (tests/{id}/{rev}.json) are never expired.
STAGING_PREFIX = posixpath.dirname(staging_key("job")) + "/"
STAGING_RULE = "staging-cleanup"
STAGING_MARGIN_DAYS = 3
STAGING_EXPIRE_DAYS = math.ceil(QUEUE_RETENTION_SECONDS / 86_400) + STAGING_MARGIN_DAYS


def commands() -> list[tuple[str, list[str]]]:
    """(what, wrangler arguments) for every resource, in order."""
    config = tomllib.loads((ROOT / "wrangler.toml").read_text(encoding="utf-8"))
    database = config["d1_databases"][0]["database_name"]
    bucket = config["r2_buckets"][0]["bucket_name"]
    retention = ["--message-retention-period-secs", str(QUEUE_RETENTION_SECONDS)]
    return [
        ("D1 database", ["d1", "create", database]),
        ("KV namespace", ["kv", "namespace", "create", "KV"]),
        ("R2 bucket", ["r2", "bucket", "create", bucket]),
        (
            "R2 lifecycle rule for claim-check leftovers",
            ["r2", "bucket", "lifecycle", "add", bucket, STAGING_RULE, STAGING_PREFIX]
            + ["--expire-days", str(STAGING_EXPIRE_DAYS), "--force"],
        ),
        ("save queue", ["queues", "create", SAVE_QUEUE, *retention]),
        ("dead-letter queue", ["queues", "create", DEAD_LETTER_QUEUE, *retention]),
        ("image queue", ["queues", "create", IMAGE_QUEUE, *retention]),
        ("image dead-letter queue", ["queues", "create", IMAGE_DLQ, *retention]),
        ("analytics queue", ["queues", "create", ANALYTICS_QUEUE, *retention]),
        ("analytics dead-letter queue", ["queues", "create", ANALYTICS_DLQ, *retention]),
        ("index queue", ["queues", "create", INDEX_QUEUE, *retention]),
        ("index dead-letter queue", ["queues", "create", INDEX_DLQ, *retention]),
        (
            "Hyperdrive (analytics Postgres)",
            ["hyperdrive", "create", HYPERDRIVE_NAME, f"--connection-string=${ORIGIN_VARIABLE}"]
            + HYPERDRIVE_CACHING,
        ),
        (
            "Vectorize index",
            ["vectorize", "create", VECTOR_INDEX]
            + [f"--dimensions={EMBEDDING_DIMENSIONS}", "--metric=cosine"],
        ),
        *(
            (
                f"metadata index {name}",
                ["vectorize", "create-metadata-index", VECTOR_INDEX]
                + [f"--property-name={name}", f"--type={kind}"],
            )
            for name, kind in METADATA_INDEXES.items()
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make cf-setup", description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    ids: dict[str, str] = {}
    origin = os.environ.get(ORIGIN_VARIABLE, "")
    for what, wrangler_args in commands():
        if f"${ORIGIN_VARIABLE}" in " ".join(wrangler_args) and not args.dry_run:
            if not origin:
                print(f"▸ {what}: skipped, set {ORIGIN_VARIABLE}=postgres://… and run again")
                continue
            wrangler_args = [a.replace(f"${ORIGIN_VARIABLE}", origin) for a in wrangler_args]
            shown = [a.replace(origin, f"${ORIGIN_VARIABLE}") for a in wrangler_args]
            print(f"▸ {what}: wrangler {' '.join(shown)}", flush=True)
            wrangler_args_shown = True
        else:
            wrangler_args_shown = False
        cmd = [str(ROOT / "scripts/node.sh"), "npx", "--no-install", "wrangler", *wrangler_args]
        if not wrangler_args_shown:
            print(f"▸ {what}: wrangler {' '.join(wrangler_args)}", flush=True)
        if args.dry_run:
            continue
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            known = "already exists" in output.lower() or "already taken" in output.lower()
            print(f"  {'exists already, skipped' if known else 'FAILED:'}")
            if not known:
                print(output.strip())
                return 1
            if wrangler_args[:2] == ["hyperdrive", "create"]:
                # A config made before caching was turned off keeps caching until updated.
                print(
                    "  make sure it does not cache: wrangler hyperdrive update <its id> "
                    + " ".join(HYPERDRIVE_CACHING)
                )
            continue
        if match := _ID.search(output):
            ids[what] = match.group(1)
    if ids:
        print("\nPut these ids in BOTH wrangler.toml and wrangler.consumer.toml:")
        for what, value in ids.items():
            key = {"D1 database": "database_id", "KV namespace": "id (kv_namespaces)"}.get(
                what, "id ([[hyperdrive]])"
            )
            print(f"  {key} = {value}")
    print("The analytics schema: ANALYTICS_DATABASE_URL=<the origin URL> make analytics-migrate")
    print("Then: `make deploy` (applies the D1 migrations remotely, deploys both Workers).")
    print(
        f"\nQueues keep messages {QUEUE_RETENTION_SECONDS} s (quizhub.pipeline.policy); on the"
        " Free plan retention is fixed at 86400 s: set QUEUE_RETENTION_SECONDS to match."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
