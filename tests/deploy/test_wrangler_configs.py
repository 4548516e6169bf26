"""The Wrangler configs: every binding of the design is declared, and wrangler accepts both.

The dry-run and migration checks need the project's Node 22 + wrangler (`npm ci`); they run
offline (no Cloudflare account, no network).
"""

from __future__ import annotations

import subprocess
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Settings

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "wrangler.toml"
CONSUMER = ROOT / "wrangler.consumer.toml"
MIN_DATE = date(2026, 9, 8)  # Python 3.14 / Pyodide 314 (pydantic 2.12.5) from this date on

needs_node = pytest.mark.skipif(
    not (ROOT / "node_modules/.bin/wrangler").exists(), reason="run `npm ci` (make test does)"
)


def _load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def _wrangler(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts/node.sh"), "npx", "--no-install", "wrangler", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("path", "name", "main"),
    [
        (API, "quizhub-api", "src/api_worker.py"),
        (CONSUMER, "quizhub-consumer", "src/consumer_worker.py"),
    ],
)
def test_worker_is_a_python_worker_on_the_python_314_runtime(
    path: Path, name: str, main: str
) -> None:
    """Name, entry file, `python_workers` and a compatibility date on Python 3.14."""
    cfg = _load(path)
    assert cfg["name"] == name
    assert cfg["main"] == main and (ROOT / main).is_file()
    assert "python_workers" in cfg["compatibility_flags"]
    assert MIN_DATE <= date.fromisoformat(cfg["compatibility_date"]) <= date.today()
    assert cfg["observability"]["enabled"] is True


@pytest.mark.parametrize("path", [API, CONSUMER])
def test_both_workers_share_the_storage_bindings_and_vars(path: Path) -> None:
    """DB (with migrations/), BUCKET, KV, the SAVE_QUEUE producer and the vars the settings read."""
    cfg, api = _load(path), _load(API)
    d1 = _by(cfg["d1_databases"], "binding")["DB"]
    assert d1["database_name"] == "quizhub" and d1["migrations_dir"] == "migrations"
    assert d1["database_id"] == _by(api["d1_databases"], "binding")["DB"]["database_id"]
    assert _by(cfg["r2_buckets"], "binding")["BUCKET"]["bucket_name"] == "quizhub"
    assert _by(cfg["kv_namespaces"], "binding")["KV"]["id"] == api["kv_namespaces"][0]["id"]
    assert _by(cfg["queues"]["producers"], "binding")["SAVE_QUEUE"]["queue"] == "quizhub-save"
    assert cfg["vars"]["SAVE_MODE"] in ("queue", "workflow", "sync")
    assert cfg["vars"]["PUBLIC_ORIGIN"].startswith("https://")
    assert _by(cfg["vectorize"], "binding")["VECTORIZE"] == {
        "binding": "VECTORIZE",
        "index_name": "quizhub-tests",
        "remote": True,
    }
    assert cfg["ai"] == {"binding": "AI", "remote": True}
    for secret in ("ADMIN_TOKEN", "JOB_SECRET", "CF_API_TOKEN", "CF_ZONE_ID"):
        assert secret not in cfg["vars"], f"{secret} is a secret: `wrangler secret put`, not [vars]"


def test_api_worker_serves_the_static_site_and_starts_workflows_in_the_consumer() -> None:
    """Assets from ./public with /api/* to the Worker; SAVE_WF points at quizhub-consumer."""
    cfg = _load(API)
    assets = cfg["assets"]
    assert assets["directory"] == "./public" and assets["binding"] == "ASSETS"
    assert assets["run_worker_first"] == ["/api/*"]
    assert assets["not_found_handling"] == "404-page"
    assert _by(cfg["workflows"], "binding")["SAVE_WF"] == {
        "name": "save-test",
        "binding": "SAVE_WF",
        "class_name": "SaveTestWorkflow",
        "script_name": "quizhub-consumer",
    }
    assert "consumers" not in cfg["queues"]


def test_consumer_worker_consumes_the_save_queue_and_its_dead_letters() -> None:
    """Batch/retry settings of both consumers, the Workflow it defines and the sweep cron."""
    cfg = _load(CONSUMER)
    consumers = _by(cfg["queues"]["consumers"], "queue")
    assert set(consumers) == {"quizhub-save", "quizhub-save-dlq"}
    assert consumers["quizhub-save"] == {
        "queue": "quizhub-save",
        "max_batch_size": 10,
        "max_batch_timeout": 0,
        "max_retries": 5,
        "retry_delay": 2,
        "dead_letter_queue": "quizhub-save-dlq",
    }
    assert consumers["quizhub-save-dlq"] == {
        "queue": "quizhub-save-dlq",
        "max_batch_size": 10,
        "max_batch_timeout": 1,
        "max_retries": 3,
    }
    # The retry budget (quizhub.pipeline.policy) assumes the same max_retries as the queue.
    assert Settings(admin_token="x").max_retries == consumers["quizhub-save"]["max_retries"]
    assert _by(cfg["workflows"], "binding")["SAVE_WF"] == {
        "name": "save-test",
        "binding": "SAVE_WF",
        "class_name": "SaveTestWorkflow",
    }
    assert cfg["triggers"]["crons"] == ["*/5 * * * *"]
    assert "assets" not in cfg


@needs_node
@pytest.mark.slow
@pytest.mark.parametrize("path", [API, CONSUMER], ids=["api", "consumer"])
def test_wrangler_accepts_the_config_in_a_dry_run_deploy(path: Path, tmp_path: Path) -> None:
    """`wrangler deploy --dry-run` bundles the Python Worker with every binding (offline)."""
    out = tmp_path / "bundle"
    result = _wrangler("deploy", "--dry-run", "-c", path.name, "--outdir", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    main = Path(_load(path)["main"]).name
    assert (out / main).is_file()
    assert (out / "quizhub/cloudflare/env.py").is_file()
    for binding in ("env.DB", "env.BUCKET", "env.KV", "env.SAVE_QUEUE", "env.SAVE_WF"):
        assert binding in result.stdout


@needs_node
@pytest.mark.slow
def test_d1_migrations_apply_to_a_local_database(tmp_path: Path) -> None:
    """`wrangler d1 migrations apply DB --local` runs every file in migrations/ (offline)."""
    result = _wrangler(
        "d1", "migrations", "apply", "DB", "--local", "-c", API.name, "--persist-to", str(tmp_path)
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        assert migration.name in result.stdout
    assert list(tmp_path.glob("v3/d1/**/*.sqlite"))
