"""``make cf-setup`` (scripts/cf_setup.py): every Cloudflare resource the configs name is
created with the project's settings (queues with the retention the job budget assumes, the
Hyperdrive config without query caching), printed in a dry run without an account."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from scripts import cf_setup

from quizhub.analytics.events import ANALYTICS_DLQ, ANALYTICS_QUEUE
from quizhub.pipeline.names import DEAD_LETTER_QUEUE, IMAGE_DLQ, IMAGE_QUEUE, SAVE_QUEUE
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS
from quizhub.search.indexing import INDEX_DLQ, INDEX_QUEUE
from quizhub.search.vectors import EMBEDDING_DIMENSIONS, METADATA_INDEXES, VECTOR_INDEX
from tests.deploy._scripts import run_script


def test_cf_setup_creates_every_resource_with_the_project_retention() -> None:
    """`make cf-setup` names D1, KV, R2 and every queue, with the retention the sweep uses, and an
    R2 lifecycle rule that expires claim-check leftovers (only) after the retry window."""
    result = run_script("cf_setup.py", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    retention = f"--message-retention-period-secs {QUEUE_RETENTION_SECONDS}"
    assert "▸ D1 database: wrangler d1 create quizhub" in lines
    assert "▸ KV namespace: wrangler kv namespace create KV" in lines
    assert "▸ R2 bucket: wrangler r2 bucket create quizhub" in lines
    days = -(-QUEUE_RETENTION_SECONDS // 86_400) + 3  # the retry window + a margin
    lifecycle = f"r2 bucket lifecycle add quizhub staging-cleanup staging/ --expire-days {days}"
    assert any(lifecycle in line for line in lines), lines
    assert not any("lifecycle" in line and "tests/" in line for line in lines)  # revisions stay
    for queue in (
        SAVE_QUEUE,
        DEAD_LETTER_QUEUE,
        IMAGE_QUEUE,
        IMAGE_DLQ,
        ANALYTICS_QUEUE,
        ANALYTICS_DLQ,
        INDEX_QUEUE,
        INDEX_DLQ,
    ):
        assert any(line.endswith(f"queues create {queue} {retention}") for line in lines)
    hyperdrive = "hyperdrive create quizhub-analytics --connection-string=$HYPERDRIVE_ORIGIN"
    assert any(f"{hyperdrive} --caching-disabled" in line for line in lines), lines
    index = f"vectorize create {VECTOR_INDEX} --dimensions={EMBEDDING_DIMENSIONS} --metric=cosine"
    assert any(line.endswith(index) for line in lines)
    for name, kind in METADATA_INDEXES.items():
        metadata = f"create-metadata-index {VECTOR_INDEX} --property-name={name} --type={kind}"
        assert any(line.endswith(metadata) for line in lines)


def test_cf_setup_creates_the_hyperdrive_config_with_caching_disabled() -> None:
    """Hyperdrive caches read queries by default (about 60 s, then 15 s stale): the admin stats
    would trail the events by that much. They are admin-only and few, so the config that
    `make cf-setup` creates sends every query to Postgres (and sets no cache ages)."""
    [create] = [args for _, args in cf_setup.commands() if args[:2] == ["hyperdrive", "create"]]
    assert "--caching-disabled" in create
    assert not any(arg.startswith(("--max-age", "--swr")) for arg in create)


def test_cf_setup_says_how_to_stop_an_existing_hyperdrive_config_caching(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second run finds every resource there; for Hyperdrive it prints the update that turns
    caching off (a config made before keeps its caching). The origin password is never shown."""
    ran: list[list[str]] = []

    def exists_already(cmd: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 1, "", "already exists")

    monkeypatch.setattr(cf_setup.subprocess, "run", exists_already)
    monkeypatch.setenv("HYPERDRIVE_ORIGIN", "postgres://quiz:s3cret@db.example:5432/analytics")
    assert cf_setup.main([]) == 0
    out = capsys.readouterr().out
    assert "wrangler hyperdrive update <its id> --caching-disabled" in out
    assert "s3cret" not in out
    [create] = [cmd for cmd in ran if "hyperdrive" in cmd]
    assert "--connection-string=postgres://quiz:s3cret@db.example:5432/analytics" in create
    assert create[-1] == "--caching-disabled"
