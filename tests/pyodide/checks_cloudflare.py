"""Cloudflare-only checks: ``async def check_*(h: Harness)``, run inside Pyodide by runner.py.

What the port contracts cannot see: the composition from a Worker's ``env`` (raw and wrapped
the way the ``workers`` SDK wraps it under workerd), the consumer-side batch wrappers, the
consumer config's bindings, plain-Python results, and the deployable artifact itself (every
module under src/ compiles under Pyodide's Python 3.14; the adapters load without pydantic).
Importable on CPython (pytest lists the check names): ``js``/``pyodide``/``workers`` are
imported inside the functions.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Harness", "sdk_env"]

SRC = Path("/quizhub/src")
# Bindings the runtime's SDK wraps in ``_BindingWrapper`` (recognised there by their workerd
# constructor names, which Miniflare's proxies do not have; see sdk_env).
_WRAPPED_BY_WORKERD = ("DB", "BUCKET", "KV", "SAVE_QUEUE", "IMAGE_QUEUE")
_ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@dataclass
class Harness:
    env: Any  # the raw JS env of wrangler.toml (Miniflare proxies)
    consumer_env: Any  # the raw JS env of wrangler.consumer.toml, or None
    bindings: Any  # quizhub.bindings.Bindings built from sdk_env(env)
    bridge: Any = None  # bridge.mjs: a real queue + consumer, caches.default, an echo server
    # The env the consumer entry gets for the next deliveries (None: sdk_env(consumer_env)).
    consumer_entry_env: Any = None


def sdk_env(raw_env: Any) -> Any:
    """``raw_env`` wrapped as workerd's SDK hands it to ``self.env``.

    The SDK's ``_EnvWrapper`` wraps D1/R2/KV/Queue bindings in ``_BindingWrapper`` by their
    workerd constructor names; Miniflare's proxies have other names, so this subclass wraps
    them by binding name instead, giving the adapters exactly what they get in production.
    """
    from workers import _EnvWrapper
    from workers.rpc import _BindingWrapper

    class WorkerdEnv(_EnvWrapper):
        def _getattr_helper(self, name: str) -> Any:
            if name in _WRAPPED_BY_WORKERD:
                return _BindingWrapper(getattr(self._env, name))
            return super()._getattr_helper(name)

    return WorkerdEnv(raw_env)


def _js(source: str) -> Any:
    from pyodide.code import run_js

    return run_js(source)


# A queue batch shaped like the runtime's (MessageBatch), recording what the handler calls.
_BATCH_JS = """(() => {
  const calls = [];
  const opts = (o) => (o === undefined ? null : JSON.stringify(o));
  const message = (id, body, attempts) => ({
    id, body, attempts, timestamp: new Date(Date.UTC(2026, 10, 26, 2, 30, 0, 123)),
    ack() { calls.push(["ack", id]); },
    retry(o) { calls.push(["retry", id, opts(o)]); },
  });
  return {
    calls,
    batch: {
      queue: "quizhub-save",
      messages: [
        message("m1", { type: "save-test", baseRev: null, n: 1, ok: true, list: [1, null, "가"] },
                1),
        message("m2", "text-body", 3),
      ],
      ackAll() { calls.push(["ackAll"]); },
      retryAll(o) { calls.push(["retryAll", opts(o)]); },
    },
  };
})()"""


def _calls(fixture: Any) -> list[list[Any]]:
    return json.loads(str(_js("JSON.stringify")(fixture.calls)))


async def _exercise_batch(batch: Any, fixture: Any) -> None:
    from quizhub.cloudflare.queue import wrap_batch

    wrapped = wrap_batch(batch)
    assert wrapped.queue == "quizhub-save"
    first, second = wrapped.messages
    assert (first.id, first.attempts, second.id, second.attempts) == ("m1", 1, "m2", 3)
    assert first.body == {
        "type": "save-test",
        "baseRev": None,
        "n": 1,
        "ok": True,
        "list": [1, None, "가"],
    }
    assert type(first.body) is dict and second.body == "text-body"
    assert first.timestamp == "2026-11-26T02:30:00.123Z"
    first.ack()
    second.retry(delay_seconds=7)
    second.retry()
    wrapped.ack_all()
    wrapped.retry_all(delay_seconds=2)
    wrapped.retry_all()
    assert _calls(fixture) == [
        ["ack", "m1"],
        ["retry", "m2", '{"delaySeconds":7}'],
        ["retry", "m2", None],
        ["ackAll"],
        ["retryAll", '{"delaySeconds":2}'],
        ["retryAll", None],
    ]


def _plain(value: Any) -> bool:
    """True when ``value`` is made only of Python dict/list/str/int/float/bool/bytes/None."""
    if isinstance(value, dict):
        return type(value) is dict and all(
            isinstance(k, str) and _plain(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return type(value) is list and all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool, bytes)


# ---------------------------------------------------------------- the artifact
async def check_runtime_is_python_314_on_pyodide_314(h: Harness) -> None:
    import pyodide

    assert sys.version_info[:2] == (3, 14), sys.version
    assert pyodide.__version__.startswith("314."), pyodide.__version__


def _compile_all(root: Path) -> tuple[int, list[str]]:
    """(number of files, errors) of compiling every ``*.py`` under ``root``."""
    files = sorted(root.rglob("*.py"))
    broken = []
    for path in files:
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        except SyntaxError as exc:
            broken.append(f"{path.relative_to(root)}:{exc.lineno}: {exc.msg}")
    return len(files), broken


async def check_every_src_module_compiles_under_python_314(h: Harness) -> None:
    count, broken = _compile_all(SRC)
    assert count > 20, f"src/ looks empty ({count} files)"
    assert not broken, "do not compile under Python 3.14: " + "; ".join(broken)


async def check_adapters_and_store_load_without_pydantic(h: Harness) -> None:
    # Pyodide here has no pydantic (no pydantic-core wheel offline): everything the adapters
    # and the data access need must import without it.
    modules = ["quizhub.ports", "quizhub.bindings", "quizhub.edge.cdn", "quizhub.errors"]
    for package in ("cloudflare", "store"):
        modules += [
            f"quizhub.{package}.{p.stem}" if p.stem != "__init__" else f"quizhub.{package}"
            for p in sorted((SRC / "quizhub" / package).glob("*.py"))
        ]
    failures = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "; ".join(failures)
    assert "pydantic" not in sys.modules


# ---------------------------------------------------------------- composition from env
async def check_sdk_wrapped_env_gives_adapters_the_raw_bindings(h: Harness) -> None:
    from pyodide.ffi import JsProxy

    b = h.bindings
    inner = {
        "DB": b.db._db,
        "BUCKET": b.bucket._bucket,
        "KV": b.kv._kv,
        "SAVE_QUEUE": b.queue._queue,
        "IMAGE_QUEUE": b.image_queue._queue,
    }
    leaked = [name for name, obj in inner.items() if not isinstance(obj, JsProxy)]
    assert not leaked, f"adapters hold SDK wrappers, not JS bindings: {leaked}"
    assert sdk_env(h.env).DB.__class__.__name__ == "_BindingWrapper"  # the wrap did happen
    assert (b.settings.save_mode, b.settings.public_origin) == (
        "queue",
        "https://quiz.example.com",
    )


async def check_raw_env_composes_working_bindings(h: Harness) -> None:
    from quizhub.cloudflare.env import bindings_from_env

    b = bindings_from_env(h.env)
    assert await b.db.prepare("SELECT ?1 || ?2 AS v").bind("퀴즈", "허브").first("v") == "퀴즈허브"
    await b.kv.put("cf-raw/k", "v")
    assert await b.kv.get("cf-raw/k") == "v"
    assert b.settings.save_mode == "queue"


async def check_adapters_unwrap_sdk_wrapped_bindings(h: Harness) -> None:
    from workers.rpc import _BindingWrapper

    from quizhub.cloudflare.d1 import D1
    from quizhub.cloudflare.kv import KV
    from quizhub.cloudflare.queue import QueueProducerAdapter
    from quizhub.cloudflare.r2 import R2

    db = D1(_BindingWrapper(h.env.DB))
    rows = await db.batch([db.prepare("SELECT ? AS a, ? AS b").bind(None, 2**53 - 1)])
    assert rows[0]["results"] == [{"a": None, "b": 2**53 - 1}]
    bucket = R2(_BindingWrapper(h.env.BUCKET))
    await bucket.put("cf-wrapped/doc.json", "{}", custom_metadata={"rev": "r1"})
    obj = await bucket.get("cf-wrapped/doc.json")
    assert obj is not None and obj.custom_metadata == {"rev": "r1"}
    kv = KV(_BindingWrapper(h.env.KV))
    await kv.put("cf-wrapped/k", '{"n": null}', expiration_ttl=60, metadata={"rev": None})
    assert await kv.get("cf-wrapped/k", "json") == {"n": None}
    await QueueProducerAdapter(_BindingWrapper(h.env.SAVE_QUEUE)).send({"t": ("a", None)})


async def check_plain_sdk_env_wrapper_passes_miniflare_bindings_through(h: Harness) -> None:
    # Why sdk_env exists: the SDK recognises bindings by workerd constructor names only.
    from pyodide.ffi import JsProxy
    from workers import _EnvWrapper

    assert isinstance(_EnvWrapper(h.env).DB, JsProxy)


async def check_results_are_plain_python_values(h: Harness) -> None:
    b = h.bindings
    await b.db.exec("DROP TABLE IF EXISTS cf_plain")
    await b.db.exec("CREATE TABLE cf_plain (id INTEGER PRIMARY KEY, f REAL, t TEXT, n TEXT)")
    run = (
        await b.db.prepare("INSERT INTO cf_plain VALUES (?, ?, ?, ?)")
        .bind(1, 0.5, "가", None)
        .run()
    )
    rows = await b.db.prepare("SELECT * FROM cf_plain").all()
    first = await b.db.prepare("SELECT * FROM cf_plain").first()
    batch = await b.db.batch([b.db.prepare("SELECT COUNT(*) AS n FROM cf_plain")])
    for name, value in (("run", run), ("all", rows), ("first", first), ("batch", batch)):
        assert _plain(value), f"D1 {name} returned non-plain values: {value!r}"
    assert rows["results"] == [{"id": 1, "f": 0.5, "t": "가", "n": None}]
    put = await b.bucket.put("cf-plain/x", b"1", http_metadata={"contentType": "text/plain"})
    listed = await b.bucket.list(prefix="cf-plain/")
    for obj in (put, listed.objects[0]):
        assert _ISO_MS.match(obj.uploaded), obj.uploaded
        assert all(type(v) is str for v in obj.http_metadata.values()), obj.http_metadata
    await b.kv.put("cf-plain/k", "v", metadata={"a": [1, None]})
    kv_listed = await b.kv.list(prefix="cf-plain/")
    assert _plain(kv_listed), kv_listed
    assert kv_listed["keys"] == [{"name": "cf-plain/k", "metadata": {"a": [1, None]}}]


# ---------------------------------------------------------------- the consumer side
async def check_wrap_batch_handles_a_raw_js_batch(h: Harness) -> None:
    fixture = _js(_BATCH_JS)
    await _exercise_batch(fixture.batch, fixture)


async def check_wrap_batch_handles_an_sdk_wrapped_batch(h: Harness) -> None:
    from workers.rpc import _BindingWrapper

    fixture = _js(_BATCH_JS)
    await _exercise_batch(_BindingWrapper(fixture.batch), fixture)


async def check_worker_entrypoint_queue_handler_gets_working_bindings(h: Harness) -> None:
    # The consumer entry's shape (src/consumer_worker.py) on the SDK's real WorkerEntrypoint:
    # it wraps env and batch exactly as workerd's Python runtime does before calling queue().
    from workers import WorkerEntrypoint

    from quizhub.cloudflare.env import bindings_from_env
    from quizhub.cloudflare.queue import wrap_batch

    env = h.consumer_env if h.consumer_env is not None else h.env

    class Default(WorkerEntrypoint):
        async def queue(self, batch: Any, env: Any = None, ctx: Any = None) -> None:
            wrapped = wrap_batch(batch)
            bindings = bindings_from_env(self.env)
            for message in wrapped.messages:
                await bindings.kv.put(f"cf-entry/{message.id}", json.dumps(message.body))
                message.ack()

    fixture = _js(_BATCH_JS)
    await Default(_js("({waitUntil() {}, passThroughOnException() {}})"), env).queue(fixture.batch)
    assert _calls(fixture) == [["ack", "m1"], ["ack", "m2"]]
    assert str(await h.env.KV.get("cf-entry/m2")) == '"text-body"'
    stored = json.loads(str(await h.env.KV.get("cf-entry/m1")))
    assert stored["list"] == [1, None, "가"]


async def check_consumer_config_shares_storage_with_the_api_config(h: Harness) -> None:
    from quizhub.cloudflare.env import bindings_from_env

    assert h.consumer_env is not None, "the harness did not load wrangler.consumer.toml"
    api = h.bindings
    consumer = bindings_from_env(sdk_env(h.consumer_env))
    await api.db.exec("DROP TABLE IF EXISTS cf_shared")
    await api.db.exec("CREATE TABLE cf_shared (k TEXT PRIMARY KEY, v TEXT)")
    await api.db.prepare("INSERT INTO cf_shared VALUES (?, ?)").bind("k", "저장").run()
    await api.bucket.put("cf-shared/doc.json", '{"t": "저장"}')
    await api.kv.put("cf-shared/k", "저장")
    assert await consumer.db.prepare("SELECT v FROM cf_shared WHERE k = 'k'").first("v") == "저장"
    sql = "SELECT name FROM d1_migrations ORDER BY id"
    seen_by_consumer = [r["name"] for r in (await consumer.db.prepare(sql).all())["results"]]
    seen_by_api = [r["name"] for r in (await api.db.prepare(sql).all())["results"]]
    assert seen_by_consumer == seen_by_api and seen_by_consumer[0] == "0001_initial.sql"
    obj = await consumer.bucket.get("cf-shared/doc.json")
    assert obj is not None and obj.json() == {"t": "저장"}
    assert await consumer.kv.get("cf-shared/k") == "저장"
    assert (consumer.settings.save_mode, consumer.settings.public_origin) == (
        api.settings.save_mode,
        api.settings.public_origin,
    )
    from quizhub.cloudflare.env import UnboundQueue

    # The consumer config binds no job producer: sending a job there says which is missing.
    assert isinstance(consumer.queue, UnboundQueue) and consumer.queue.binding == "SAVE_QUEUE"
    assert isinstance(consumer.image_queue, UnboundQueue)
    assert consumer.image_queue.binding == "IMAGE_QUEUE"


async def check_sdk_wrappers_keep_the_attributes_the_adapters_unwrap(h: Any) -> None:
    # quizhub.cloudflare._ffi.unwrap reads private attributes of the SDK's wrappers; the pinned
    # workers-runtime-sdk must keep them (this fails on an SDK that renames them).
    from workers import _EnvWrapper
    from workers.rpc import _BindingWrapper

    from quizhub.cloudflare._ffi import _WRAPPED_ATTRS, unwrap

    wrapped = _BindingWrapper(h.env.KV)
    env = _EnvWrapper(h.env)
    assert {"_binding", "_env"} == set(_WRAPPED_ATTRS)
    assert "_binding" in vars(wrapped) and "_env" in vars(env)
    assert unwrap(wrapped) is not wrapped and unwrap(env) is not env
