"""The Wrangler configs: every binding of the design is declared, and wrangler accepts both.

The dry-run and migration checks need the project's Node 22 + wrangler (`npm ci`); they run
offline (no Cloudflare account, no network).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from quizhub.analytics.consumer import RETRY_BASE_SECONDS
from quizhub.analytics.events import ANALYTICS_BINDING, ANALYTICS_DLQ, ANALYTICS_QUEUE
from quizhub.bindings import Settings
from quizhub.edge.ratelimits import RULES
from quizhub.pipeline.names import DEAD_LETTER_QUEUE, SAVE_QUEUE
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS
from quizhub.search.vectors import EMBEDDING_DIMENSIONS, METADATA_INDEXES, VECTOR_INDEX

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
    """DB (with migrations/), BUCKET, KV and the vars the settings read, identical in both."""
    cfg, api = _load(path), _load(API)
    d1 = _by(cfg["d1_databases"], "binding")["DB"]
    assert d1["database_name"] == "quizhub" and d1["migrations_dir"] == "migrations"
    assert d1["database_id"] == _by(api["d1_databases"], "binding")["DB"]["database_id"]
    assert _by(cfg["r2_buckets"], "binding")["BUCKET"]["bucket_name"] == "quizhub"
    assert _by(cfg["kv_namespaces"], "binding")["KV"]["id"] == api["kv_namespaces"][0]["id"]
    assert cfg["vars"]["SAVE_MODE"] in ("queue", "workflow", "sync")
    assert cfg["vars"]["PUBLIC_ORIGIN"].startswith("https://")
    # Search's vector side: the index the API queries and the consumer's index step writes.
    assert _by(cfg["vectorize"], "binding")["VECTORIZE"] == {
        "binding": "VECTORIZE",
        "index_name": VECTOR_INDEX,
        "remote": True,
    }
    assert cfg["ai"] == {"binding": "AI", "remote": True}
    for secret in ("ADMIN_TOKEN", "JOB_SECRET", "CF_API_TOKEN", "CF_ZONE_ID"):
        assert secret not in cfg["vars"], f"{secret} is a secret: `wrangler secret put`, not [vars]"


def test_api_worker_serves_the_static_site_on_its_custom_domain() -> None:
    """Assets from ./public with /api/* to the Worker, a custom-domain route on the host of
    PUBLIC_ORIGIN (the Cache API and the zone purge need one), and the SAVE_QUEUE producer."""
    cfg = _load(API)
    assets = cfg["assets"]
    assert assets["directory"] == "./public" and assets["binding"] == "ASSETS"
    assert assets["run_worker_first"] == ["/api/*"]
    assert assets["not_found_handling"] == "404-page"
    host = urlsplit(cfg["vars"]["PUBLIC_ORIGIN"]).hostname
    assert cfg["routes"] == [{"pattern": host, "custom_domain": True}]
    assert _by(cfg["queues"]["producers"], "binding")["SAVE_QUEUE"]["queue"] == SAVE_QUEUE
    assert "consumers" not in cfg["queues"]


@pytest.mark.parametrize("path", [API, CONSUMER])
def test_every_binding_is_used_by_the_code(path: Path) -> None:
    """No binding that no code reads: each name appears in quizhub.cloudflare or an entry file."""
    cfg = _load(path)
    names = [
        b["binding"] for key in ("d1_databases", "r2_buckets", "kv_namespaces") for b in cfg[key]
    ]
    names += [b["binding"] for b in cfg.get("queues", {}).get("producers", [])]
    names += [b["binding"] for b in cfg.get("workflows", []) if "script_name" not in b]
    names += [b["binding"] for b in cfg.get("vectorize", [])]
    names += [cfg["ai"]["binding"]] if "ai" in cfg else []
    names += [r["name"] for r in cfg.get("ratelimits", [])]
    names += [d["name"] for d in cfg.get("durable_objects", {}).get("bindings", [])]
    names += [h["binding"] for h in cfg.get("hyperdrive", [])]
    code = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.py") if "local" not in p.parts)
    for name in names:
        assert f'"{name}"' in code or f".{name}" in code, f"{path.name}: {name} is never used"
    assert [b for b in cfg.get("workflows", []) if "script_name" in b] == []


def test_consumer_worker_consumes_the_save_queue_and_its_dead_letters() -> None:
    """Batch/retry settings of both consumers, the Workflow it defines and the sweep cron."""
    cfg = _load(CONSUMER)
    assert cfg["workers_dev"] is False and "routes" not in cfg  # no public URL
    assert "producers" not in cfg["queues"]  # it sends nothing
    consumers = _by(cfg["queues"]["consumers"], "queue")
    assert set(consumers) == {"quizhub-save", "quizhub-save-dlq", ANALYTICS_QUEUE, ANALYTICS_DLQ}
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


def test_play_analytics_queue_goes_from_the_api_to_the_consumer_and_postgres() -> None:
    """The API Worker produces ANALYTICS_QUEUE; the consumer Worker consumes it in batches of up
    to 100 (5 s timeout) with 100 retries and a dead-letter queue it consumes too; both bind
    the same Hyperdrive config, with a localConnectionString for `wrangler dev`."""
    api, consumer = _load(API), _load(CONSUMER)
    producer = _by(api["queues"]["producers"], "binding")[ANALYTICS_BINDING]
    assert producer["queue"] == ANALYTICS_QUEUE
    consumers = _by(consumer["queues"]["consumers"], "queue")
    assert consumers[ANALYTICS_QUEUE] == {
        "queue": ANALYTICS_QUEUE,
        "max_batch_size": 100,
        "max_batch_timeout": 5,
        "max_retries": 100,
        "dead_letter_queue": ANALYTICS_DLQ,
    }
    assert consumers[ANALYTICS_DLQ]["max_retries"] == 100
    assert "retry_delay" not in consumers[ANALYTICS_QUEUE]  # the handler sets its own backoff
    assert RETRY_BASE_SECONDS > 0
    [hd_api], [hd_consumer] = api["hyperdrive"], consumer["hyperdrive"]
    assert hd_api == hd_consumer and hd_api["binding"] == "HYPERDRIVE"
    assert urlsplit(hd_api["localConnectionString"]).scheme == "postgres"


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
    bindings = {
        API: ("DB", "BUCKET", "KV", "SAVE_QUEUE", "ANALYTICS_QUEUE", "HYPERDRIVE"),
        CONSUMER: ("DB", "BUCKET", "KV", "SAVE_WF", "HYPERDRIVE"),
    }
    for binding in bindings[path]:
        assert f"env.{binding}" in result.stdout


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


@needs_node
def test_pywrangler_finds_the_project_tools_as_make_deploy_runs_it(tmp_path: Path) -> None:
    """`scripts/pywrangler.sh --check-tools` runs pywrangler's own uv and wrangler checks with
    the PATH `make deploy` uses (without it, pywrangler stops at "Command not found: uv")."""
    result = subprocess.run(
        [str(ROOT / "scripts/pywrangler.sh"), "--check-tools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "pywrangler resolves uv and npx wrangler" in result.stdout


def test_cf_setup_creates_every_resource_with_the_project_retention() -> None:
    """`make cf-setup` names D1, KV, R2 and both queues, with the retention the sweep uses, and an
    R2 lifecycle rule that expires claim-check leftovers (only) after the retry window."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/cf_setup.py"), "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
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
    for queue in (SAVE_QUEUE, DEAD_LETTER_QUEUE, ANALYTICS_QUEUE, ANALYTICS_DLQ):
        assert any(line.endswith(f"queues create {queue} {retention}") for line in lines)
    hyperdrive = "hyperdrive create quizhub-analytics --connection-string=$HYPERDRIVE_ORIGIN"
    assert any(line.endswith(hyperdrive) for line in lines), lines
    index = f"vectorize create {VECTOR_INDEX} --dimensions={EMBEDDING_DIMENSIONS} --metric=cosine"
    assert any(line.endswith(index) for line in lines)
    for name, kind in METADATA_INDEXES.items():
        metadata = f"create-metadata-index {VECTOR_INDEX} --property-name={name} --type={kind}"
        assert any(line.endswith(metadata) for line in lines)


def test_rate_limit_bindings_match_the_rules_the_guard_applies() -> None:
    """Each rule of quizhub.edge.ratelimits is a [[ratelimits]] binding of the API Worker with the
    same limit and period (the binding enforces them; the guard's Retry-After states them)."""
    bindings = {r["name"]: r for r in _load(API)["ratelimits"]}
    assert set(bindings) == {rule.binding for rule in RULES}
    for rule in RULES:
        assert bindings[rule.binding]["simple"] == {"limit": rule.limit, "period": rule.period}
    assert len({r["namespace_id"] for r in bindings.values()}) == len(RULES)


def test_the_live_status_object_lives_in_the_consumer_and_the_api_binds_it_by_script_name() -> None:
    """LIVE_STATUS → LiveStatus in both configs: defined (with its SQLite-backed migration) by
    the consumer, whose entry exports the class; the API Worker binds it by script_name."""
    from quizhub.cloudflare.push import LIVE_BINDING

    consumer, api = _load(CONSUMER), _load(API)
    [own] = consumer["durable_objects"]["bindings"]
    assert own == {"name": LIVE_BINDING, "class_name": "LiveStatus"}
    assert [m["new_sqlite_classes"] for m in consumer["migrations"]] == [["LiveStatus"]]
    assert "class LiveStatus(DurableObject)" in (ROOT / consumer["main"]).read_text()
    [bound] = api["durable_objects"]["bindings"]
    assert bound == {**own, "script_name": consumer["name"]}
    assert "migrations" not in api  # the class is not the API Worker's own
