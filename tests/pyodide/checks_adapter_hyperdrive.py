"""``adapter.hyperdrive``: play analytics on the Cloudflare side, in Pyodide 314.

asyncpg cannot load in the npm Pyodide offline (it is a runtime package of workerd's Pyodide),
so what is proven here is everything around it: how ``quizhub.cloudflare.hyperdrive`` reads the
Hyperdrive binding (JS objects shaped like production's: the one ``[[hyperdrive]]``'s
``localConnectionString`` describes, bound by harness.mjs, and a production-like one), what
``bindings_from_env`` binds in each Worker, and how the consumer Worker's ``Default.queue``
settles an analytics batch: its events checked against Miniflare's D1 and R2 (the test's
pointer, its versions, the immutable revision object), acked once they are stored (a stand-in
database records the insert and each event's verdict) and the public counts written to D1,
retried with backoff when the database fails. The SQL itself runs against a real PostgreSQL in
tests/analytics.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from typing import Any

from tests.pyodide._entries import entry_env, js

_CTX = "({ waitUntil() {}, passThroughOnException() {} })"

# A queue batch as workerd hands it to Default.queue: JS messages whose ack/retry calls are
# recorded (the first call wins, as on Cloudflare).
_BATCH = """(queue, bodies) => {
  const settled = [];
  const messages = JSON.parse(bodies).map((body, i) => {
    const m = { id: `m-${i}`, body, attempts: 1, timestamp: new Date(), done: false };
    m.ack = () => { if (!m.done) { m.done = true; settled.push({ id: m.id, op: "ack" }); } };
    m.retry = (o) => { if (!m.done) { m.done = true;
      settled.push({ id: m.id, op: "retry", delaySeconds: o ? o.delaySeconds : null }); } };
    return m;
  });
  return { batch: { queue, messages, ackAll() {}, retryAll() {} }, settled };
}"""


def _batch(queue: str, bodies: list[Any]) -> tuple[Any, Any]:
    made = js(_BATCH)(queue, json.dumps(bodies))
    return made.batch, made.settled


def _settled(settled: Any) -> list[dict[str, Any]]:
    return list(json.loads(str(js("JSON.stringify")(settled))))


_REV = "01KA0000000000000000000000"  # the known test's one published revision


def _events_message(test_id: str, count: int) -> dict[str, Any]:
    events = [
        {
            "id": f"hd-{test_id}-{i:04d}",
            "type": "complete" if i == count - 1 else "start" if i == 0 else "view",
            "testId": test_id,
            "at": 1,
            "session": "s-12345678",
            "rev": _REV,
            **({"resultId": "planner"} if i == count - 1 else {}),
        }
        for i in range(count)
    ]
    return {"type": "play-events", "receivedAt": 1_795_000_000_000, "events": events}


class _RecordingDatabase:
    """Stands in for asyncpg over Hyperdrive: records the rows each insert was given (event id
    and verdict) and answers the counts' read-back with this play's completion."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.inserted: list[list[Any]] = []

    def describe(self) -> str:
        return "stand-in"

    @contextlib.asynccontextmanager
    async def connect(self) -> Any:
        if self.fail:
            raise ConnectionRefusedError("Hyperdrive origin unreachable (stand-in)")
        db = self

        class Conn:
            async def fetch(self, query: str, *args: Any) -> list[dict[str, Any]]:
                if "INSERT INTO play_events" in query:
                    db.inserted.append(list(zip(args[0], args[11], strict=True)))  # id, verdict
                    return [{"new": len(args[0]), "accepted": len(args[0]), "counted": 1}]
                if "FROM test_daily_results" in query:
                    return [{"test_id": t, "result_id": "planner", "n": 1} for t in args[0]]
                return []

        yield Conn()


async def _known_test(h: Any, test_id: str) -> None:
    """A published test as a commit leaves it: its pointer, its version row and its object."""
    from quizhub.domain.samples import minimal_document
    from quizhub.domain.wire import json_bytes
    from quizhub.store.keys import document_key

    key = document_key(test_id, _REV)
    now = "2026-11-18T00:00:00.000Z"
    await h.bindings.db.batch(
        [
            h.bindings.db.prepare(
                "INSERT OR IGNORE INTO tests (id, rev, status, title, object_key, created_at,"
                " updated_at, published_at) VALUES (?, ?, 'published', ?, ?, ?, ?, ?)"
            ).bind(test_id, _REV, "통계 테스트", key, now, now, now),
            h.bindings.db.prepare(
                "INSERT OR IGNORE INTO test_versions (test_id, rev, title, status, object_key,"
                " saved_at) VALUES (?, ?, ?, 'published', ?, ?)"
            ).bind(test_id, _REV, "통계 테스트", key, now),
        ]
    )
    await h.bindings.bucket.put(key, json_bytes(minimal_document("통계 테스트")))


async def check_the_adapter_reads_the_local_binding_of_the_config(h: Any) -> None:
    """HYPERDRIVE as `wrangler dev` would hand it over from [[hyperdrive]]'s
    localConnectionString (bound by harness.mjs; see there why not Miniflare's)."""
    from quizhub.cloudflare.hyperdrive import hyperdrive_params

    params = hyperdrive_params(entry_env(h.consumer_env).HYPERDRIVE)
    assert params.user == "postgres" and params.database == "quizhub_analytics", params
    assert params.host and isinstance(params.port, int) and params.port > 0, params


async def check_the_adapter_reads_a_production_shaped_binding(h: Any) -> None:
    from quizhub.cloudflare.hyperdrive import hyperdrive_params

    binding = js(
        "({ host: 'abc.hyperdrive.local', port: 5432, user: 'quiz', password: 'pw',"
        " database: 'analytics',"
        " connectionString: 'postgres://quiz:pw@abc.hyperdrive.local:5432/analytics' })"
    )
    params = hyperdrive_params(binding)
    assert (params.host, params.port, params.user, params.password, params.database) == (
        "abc.hyperdrive.local",
        5432,
        "quiz",
        "pw",
        "analytics",
    ), params
    assert "pw" not in params.describe()


async def check_a_binding_without_connection_details_is_named(h: Any) -> None:
    from quizhub.cloudflare.hyperdrive import hyperdrive_params

    try:
        hyperdrive_params(js("({ host: 'x', port: 5432, user: 'u', password: 'p' })"))
    except RuntimeError as exc:
        assert "database" in str(exc), exc
    else:
        raise AssertionError("a binding without database was accepted")


async def check_each_worker_binds_what_it_uses(h: Any) -> None:
    from quizhub.cloudflare.env import bindings_from_env
    from quizhub.cloudflare.hyperdrive import HyperdriveDatabase

    api = h.bindings  # wrangler.toml: sends events, reads stats
    assert api.analytics_queue is not None and isinstance(api.analytics, HyperdriveDatabase)
    assert api.analytics.describe().endswith("/quizhub_analytics"), api.analytics.describe()
    consumer = bindings_from_env(entry_env(h.consumer_env))  # writes them, sends nothing
    assert consumer.analytics_queue is None and isinstance(consumer.analytics, HyperdriveDatabase)


async def check_a_broken_hyperdrive_binding_fails_only_analytics(h: Any) -> None:
    """Bindings still build (the rest of the API works); opening a connection is Transient."""
    from quizhub.cloudflare.env import bindings_from_env
    from quizhub.errors import Transient

    broken = js("(env) => new Proxy(env, { get: (t, p) => p === 'HYPERDRIVE' ? {} : t[p] })")
    b = bindings_from_env(entry_env(broken(h.env)))
    try:
        async with b.analytics.connect():
            pass
    except Transient as exc:
        assert "host" in exc.message, exc.message
    else:
        raise AssertionError("a binding without connection details opened a connection")


# An ANALYTICS_QUEUE stand-in that records each send as workerd would serialize it (JSON), and
# whether the body crossed as a plain object (a Map would reach the queue as ``{}``).
_RECORDING_QUEUE = """(env) => {
  const sends = [];
  const queue = {
    async send(body, options) {
      sends.push({ body: JSON.parse(JSON.stringify(body)), options: options ?? null,
                   plain: Object.getPrototypeOf(body) === Object.prototype });
    },
    async sendBatch() { throw new Error("the API sends play events one message at a time"); },
  };
  const bound = new Proxy(env, { get: (t, p) => p === "ANALYTICS_QUEUE" ? queue : t[p] });
  return { env: bound, sends };
}"""


async def check_the_events_message_is_one_json_send_on_analytics_queue(h: Any) -> None:
    """What ``post_events`` hands the queue (tests/analytics/test_events_api.py: one message a
    request) crosses the ANALYTICS_QUEUE binding as one ``send`` of a plain JSON object."""
    from quizhub.analytics.events import ANALYTICS_BINDING, event_message, parse_events
    from quizhub.cloudflare.env import bindings_from_env

    assert ANALYTICS_BINDING == "ANALYTICS_QUEUE", ANALYTICS_BINDING
    wire = _events_message("hd-send", 3)["events"]
    recording = js(_RECORDING_QUEUE)(h.env)
    b = bindings_from_env(entry_env(recording.env))
    assert b.analytics_queue is not None
    await b.analytics_queue.send(event_message(parse_events({"events": wire}), 1_795_000_000_000))
    sends = _settled(recording.sends)
    assert len(sends) == 1, sends
    [sent] = sends
    assert sent["plain"] is True, sent
    assert sent["options"] == {"contentType": "json"}, sent["options"]
    body = sent["body"]
    assert body["type"] == "play-events" and body["receivedAt"] == 1_795_000_000_000, body
    assert [e["id"] for e in body["events"]] == [e["id"] for e in wire], body["events"]
    assert all(e["testId"] == "hd-send" for e in body["events"]), body["events"]


async def check_the_consumer_acks_a_batch_once_its_events_are_stored(h: Any) -> None:
    import consumer_worker
    from quizhub.analytics.events import ANALYTICS_QUEUE
    from quizhub.pipeline import consumer

    await _known_test(h, "hd-known")
    db = _RecordingDatabase()
    original = consumer_worker.bindings_from_env
    consumer_worker.bindings_from_env = lambda env: replace(original(env), analytics=db)
    try:
        bodies = [_events_message("hd-known", 2), _events_message("hd-unknown", 1), {"type": "x"}]
        batch, settled = _batch(ANALYTICS_QUEUE, bodies)
        await consumer_worker.Default(js(_CTX), entry_env(h.consumer_env)).queue(batch)
    finally:
        consumer_worker.bindings_from_env = original
    assert consumer.QUEUE_HANDLERS[ANALYTICS_QUEUE] is not None
    ops = {s["id"]: s["op"] for s in _settled(settled)}
    assert ops == {"m-0": "ack", "m-1": "ack", "m-2": "ack"}, ops
    assert db.inserted == [
        [
            ("hd-hd-known-0000", None),
            ("hd-hd-known-0001", None),
            ("hd-hd-unknown-0000", "unknown_test"),
        ]
    ], db.inserted
    counts = await h.bindings.db.prepare(
        "SELECT participants FROM participation WHERE test_id = 'hd-known'"
    ).first("participants")
    assert counts == 1, counts  # the read-back totals reached Miniflare's D1


async def check_the_consumer_retries_a_batch_when_the_database_fails(h: Any) -> None:
    import consumer_worker
    from quizhub.analytics.consumer import retry_delay_seconds
    from quizhub.analytics.events import ANALYTICS_DLQ

    await _known_test(h, "hd-known")
    db = _RecordingDatabase(fail=True)
    original = consumer_worker.bindings_from_env
    consumer_worker.bindings_from_env = lambda env: replace(original(env), analytics=db)
    try:
        batch, settled = _batch(ANALYTICS_DLQ, [_events_message("hd-known", 1)] * 2)
        await consumer_worker.Default(js(_CTX), entry_env(h.consumer_env)).queue(batch)
    finally:
        consumer_worker.bindings_from_env = original
    expected = {"op": "retry", "delaySeconds": retry_delay_seconds(1)}
    assert [{k: s[k] for k in expected} for s in _settled(settled)] == [expected] * 2


async def check_without_asyncpg_the_real_adapter_fails_transiently(h: Any) -> None:
    """Here (npm Pyodide, offline) asyncpg is absent: opening a connection must fail loudly —
    and the consumer turns that into a retry, never an ack."""
    import consumer_worker
    from quizhub.analytics.events import ANALYTICS_QUEUE

    await _known_test(h, "hd-known")
    batch, settled = _batch(ANALYTICS_QUEUE, [_events_message("hd-known", 1)])
    await consumer_worker.Default(js(_CTX), entry_env(h.consumer_env)).queue(batch)
    assert [s["op"] for s in _settled(settled)] == ["retry"], _settled(settled)
