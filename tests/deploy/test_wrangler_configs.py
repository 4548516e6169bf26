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
from urllib.parse import urlsplit

import pytest
from scripts.deploy_check import BUNDLE_LIMIT, bundle_bytes, config_differences, report_bundles

from quizhub.analytics.consumer import RETRY_BASE_SECONDS
from quizhub.analytics.events import ANALYTICS_BINDING, ANALYTICS_DLQ, ANALYTICS_QUEUE
from quizhub.bindings import Settings
from quizhub.edge.cdn import WORKER_FIRST
from quizhub.edge.ratelimits import RULES
from quizhub.pipeline.card_art import FONT_FILE
from quizhub.pipeline.consumer import QUEUE_HANDLERS
from quizhub.pipeline.names import (
    DEAD_LETTER_QUEUE,
    IMAGE_DLQ,
    IMAGE_JOBS,
    IMAGE_QUEUE,
    MESSAGE_TYPES,
    SAVE_QUEUE,
    queue_of,
)
from quizhub.ports import EMBED_TEXTS_LIMIT
from quizhub.search.indexing import INDEX_BINDING, INDEX_DLQ, INDEX_QUEUE
from quizhub.search.vectors import VECTOR_INDEX
from tests.deploy._scripts import ROOT, run_script

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


def test_both_configs_pick_the_runtime_pywrangler_resolves_packages_for() -> None:
    """pywrangler reads the Python version (and so the Pyodide packages it vendors) from the root
    wrangler.toml only, also when it deploys wrangler.consumer.toml: both configs name the same
    compatibility_date and compatibility flags, so the consumer runs what was vendored for it."""
    api, consumer = _load(API), _load(CONSUMER)
    assert consumer["compatibility_date"] == api["compatibility_date"]
    assert sorted(consumer["compatibility_flags"]) == sorted(api["compatibility_flags"])


def test_deploy_check_says_it_checks_the_configs_and_refuses_differing_runtimes(
    tmp_path: Path,
) -> None:
    """`make deploy-check` prints what it compared; a config with another date or flag is
    reported by key (scripts/deploy_check.py, which `make deploy` runs first too)."""
    result = run_script("deploy_check.py", "configs")
    assert result.returncode == 0, result.stderr
    date_ = _load(API)["compatibility_date"]
    assert result.stdout.startswith("configs: wrangler.toml and wrangler.consumer.toml share")
    assert f"compatibility_date {date_}" in result.stdout

    other = tmp_path / "other.toml"
    other.write_text('compatibility_date = "2025-10-01"\ncompatibility_flags = ["python_workers"]')
    assert [line.split(":")[0] for line in config_differences(API, other)] == ["compatibility_date"]
    other.write_text(
        f'compatibility_date = "{date_}"\ncompatibility_flags = ["python_workers_314"]'
    )
    assert [line.split(":")[0] for line in config_differences(API, other)] == [
        "compatibility_flags"
    ]


def test_deploy_check_measures_a_bundle_against_the_64_mib_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every file wrangler wrote counts except its README.md; past 64 MiB the check fails."""
    small, big = tmp_path / "small", tmp_path / "big"
    (small / "quizhub").mkdir(parents=True)
    (small / "quizhub" / "app.py").write_bytes(b"x" * 3 * 1024 * 1024)
    (small / "README.md").write_bytes(b"x" * BUNDLE_LIMIT)  # wrangler's note, not uploaded
    assert report_bundles([small]) == 0
    assert "1 files, 3.00 MiB of the 64 MiB limit (4.7%)" in capsys.readouterr().out
    big.mkdir()
    with (big / "python_modules.bin").open("wb") as f:
        f.truncate(BUNDLE_LIMIT + 1)  # sparse: the size counts, nothing is written
    assert report_bundles([small, big]) == 1


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
    """Assets from ./public with the Worker's paths first, a custom-domain route on the host of
    PUBLIC_ORIGIN (the Cache API and the zone purge need one), and the producers of both job
    queues (SAVE_QUEUE, IMAGE_QUEUE)."""
    cfg = _load(API)
    assets = cfg["assets"]
    assert assets["directory"] == "./public" and assets["binding"] == "ASSETS"
    # The API, the pages, the cards, robots.txt and the sitemap (quizhub.edge.cdn.WORKER_FIRST:
    # the local server routes by the same list).
    assert assets["run_worker_first"] == list(WORKER_FIRST)
    assert assets["not_found_handling"] == "404-page"
    host = urlsplit(cfg["vars"]["PUBLIC_ORIGIN"]).hostname
    assert cfg["routes"] == [{"pattern": host, "custom_domain": True}]
    producers = _by(cfg["queues"]["producers"], "binding")
    assert producers["SAVE_QUEUE"]["queue"] == SAVE_QUEUE
    assert producers["IMAGE_QUEUE"]["queue"] == IMAGE_QUEUE
    assert "consumers" not in cfg["queues"]


@pytest.mark.parametrize("path", [API, CONSUMER])
def test_both_workers_upload_the_card_font(path: Path) -> None:
    """The card step draws with the font beside its module: each Worker that may run it (the
    consumer; the API Worker in SAVE_MODE=sync) uploads it as a data file."""
    rules = _load(path).get("rules", [])
    assert {"type": "Data", "globs": ["**/*.otf"], "fallthrough": True} in rules
    assert FONT_FILE.suffix == ".otf" and FONT_FILE.is_relative_to(ROOT / "src")


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
    # It sends only index requests (a committed save's vectors), never save jobs.
    assert [p["binding"] for p in cfg["queues"]["producers"]] == [INDEX_BINDING]
    consumers = _by(cfg["queues"]["consumers"], "queue")
    assert set(consumers) == {
        *("quizhub-save", "quizhub-save-dlq", ANALYTICS_QUEUE, ANALYTICS_DLQ),
        *(INDEX_QUEUE, INDEX_DLQ, IMAGE_QUEUE, IMAGE_DLQ),
    }
    assert set(consumers) == set(QUEUE_HANDLERS)  # every queue consumed has a handler
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


def test_image_jobs_have_their_own_queue_consumed_one_message_at_a_time() -> None:
    """process-image and reprocess-images go to IMAGE_QUEUE (every other job to SAVE_QUEUE); the
    consumer Worker takes one image job per invocation, with the save queue's retries, and
    its dead letters get the save queue's DLQ handler."""
    assert {kind for kind in MESSAGE_TYPES if queue_of(kind) == IMAGE_QUEUE} == IMAGE_JOBS
    assert {"process-image", "reprocess-images"} == IMAGE_JOBS
    assert {queue_of(kind) for kind in MESSAGE_TYPES} == {SAVE_QUEUE, IMAGE_QUEUE}
    consumers = _by(_load(CONSUMER)["queues"]["consumers"], "queue")
    save, images = consumers[SAVE_QUEUE], consumers[IMAGE_QUEUE]
    assert images == {
        "queue": IMAGE_QUEUE,
        "max_batch_size": 1,
        "max_batch_timeout": 0,
        "max_retries": save["max_retries"],
        "retry_delay": save["retry_delay"],
        "dead_letter_queue": IMAGE_DLQ,
    }
    assert consumers[IMAGE_DLQ]["max_batch_size"] == 1
    assert consumers[IMAGE_DLQ]["max_retries"] == consumers[DEAD_LETTER_QUEUE]["max_retries"]
    assert QUEUE_HANDLERS[IMAGE_QUEUE] is QUEUE_HANDLERS[SAVE_QUEUE]
    assert QUEUE_HANDLERS[IMAGE_DLQ] is QUEUE_HANDLERS[DEAD_LETTER_QUEUE]


def test_the_index_queue_is_produced_by_both_workers_and_consumed_in_batches_of_100() -> None:
    """Both Workers run save jobs (sync mode runs them in the API Worker) and send INDEX_QUEUE;
    the consumer Worker takes batches of one embeddings call's size, with a dead-letter queue it
    consumes too."""
    api, consumer = _load(API), _load(CONSUMER)
    for cfg in (api, consumer):
        assert _by(cfg["queues"]["producers"], "binding")[INDEX_BINDING]["queue"] == INDEX_QUEUE
    consumers = _by(consumer["queues"]["consumers"], "queue")
    assert consumers[INDEX_QUEUE]["max_batch_size"] == EMBED_TEXTS_LIMIT
    assert consumers[INDEX_QUEUE]["dead_letter_queue"] == INDEX_DLQ
    assert consumers[INDEX_DLQ]["max_batch_size"] == EMBED_TEXTS_LIMIT


def test_play_analytics_queue_goes_from_the_api_to_the_consumer_and_postgres() -> None:
    """The API Worker produces ANALYTICS_QUEUE; the consumer Worker consumes it in batches of up
    to 100 (2 s timeout: the public counts' freshness, tests/api/test_participation_reads.py)
    with 100 retries and a dead-letter queue it consumes too; both bind the same Hyperdrive
    config, with a localConnectionString for `wrangler dev`."""
    api, consumer = _load(API), _load(CONSUMER)
    producer = _by(api["queues"]["producers"], "binding")[ANALYTICS_BINDING]
    assert producer["queue"] == ANALYTICS_QUEUE
    consumers = _by(consumer["queues"]["consumers"], "queue")
    assert consumers[ANALYTICS_QUEUE] == {
        "queue": ANALYTICS_QUEUE,
        "max_batch_size": 100,
        "max_batch_timeout": 2,
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
        API: ("DB", "BUCKET", "KV", "SAVE_QUEUE", "IMAGE_QUEUE", "ANALYTICS_QUEUE", "HYPERDRIVE"),
        CONSUMER: ("DB", "BUCKET", "KV", "SAVE_WF", "HYPERDRIVE"),
    }
    for binding in bindings[path]:
        assert f"env.{binding}" in result.stdout
    assert 0 < bundle_bytes(out) < BUNDLE_LIMIT


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
