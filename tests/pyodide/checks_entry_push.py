"""``entry.push``: the live status's FFI surface in Pyodide 314, over JS stand-ins shaped like the
runtime's (Miniflare cannot run a Python Durable Object): ``consumer_worker.LiveStatus`` with a
``DurableObjectState`` that has the hibernation API (``acceptWebSocket``, ``getWebSockets``,
``setWebSocketAutoResponse``) and a storage with the runtime's key-value calls (``get``, ``put``,
``list`` by range and limit, ``delete`` of at most 128 keys), and ``WebSocketPair`` sockets
(``send``, ``serializeAttachment``, ``close``); ``DurableLiveChannel`` over a namespace
(``idFromName``, ``get`` → stub ``fetch``); the API Worker's upgrade route; and the consumer entry
notifying the object for a real save.
"""

from __future__ import annotations

import json
from typing import Any

from tests.pyodide._entries import entry_env, js, js_json

# The runtime's globals that Node lacks (WebSocketPair, WebSocketRequestResponsePair) and a
# Response that takes status 101 with a webSocket, as workerd's does; restored afterwards.
_INSTALL = """(() => {
  const saved = { Response: globalThis.Response, WebSocketPair: globalThis.WebSocketPair,
    WebSocketRequestResponsePair: globalThis.WebSocketRequestResponsePair };
  const socket = (name, broken = false) => ({ name, sent: [], closed: null, attachment: null,
    send(text) { if (broken) throw new Error("socket closed"); this.sent.push(String(text)); },
    serializeAttachment(value) { this.attachment = structuredClone(value); },
    deserializeAttachment() { return this.attachment; },
    close(code, reason) { this.closed = [code, reason]; } });
  globalThis.WebSocketPair = function () { return { 0: socket("client"), 1: socket("server") }; };
  globalThis.WebSocketRequestResponsePair = function (request, response) {
    this.request = request; this.response = response; };
  globalThis.Response = new Proxy(saved.Response, { construct(target, args) {
    const [body, init] = args;
    if (init && init.status === 101) return { status: 101, webSocket: init.webSocket, body };
    return new target(...args);
  } });
  const storage = { data: new Map(),
    async get(key) { return this.data.get(key); },
    async put(key, value) { this.data.set(key, value); },
    async list({ start, end, prefix, limit } = {}) {
      const keys = [...this.data.keys()].sort().filter((k) => (start === undefined || k >= start)
        && (end === undefined || k < end) && (prefix === undefined || k.startsWith(prefix)));
      return new Map(keys.slice(0, limit ?? keys.length).map((k) => [k, this.data.get(k)]));
    },
    async delete(keys) {
      if (!Array.isArray(keys)) return this.data.delete(keys);
      if (keys.length > 128) throw new Error("delete takes at most 128 keys");
      return keys.filter((k) => this.data.delete(k)).length;
    } };
  const ctx = { sockets: [], auto: null, storage,
    acceptWebSocket(ws) { this.sockets.push(ws); },
    getWebSockets() { return [...this.sockets]; },
    setWebSocketAutoResponse(pair) { this.auto = pair; } };
  const restore = () => Object.assign(globalThis, saved);
  return { ctx, socket, restore };
})()"""

_REQUEST = """(url, method, headers, body) => ({ url, method,
  headers: { get: (name) => headers[name.toLowerCase()] ?? null },
  text: async () => body })"""

# A Durable Object namespace: ids by name, stubs whose fetch records what reached the object.
_NAMESPACE = """((status) => {
  const calls = [];
  return { calls, namespace: {
    idFromName(name) { return { name }; },
    get(id) { return { async fetch(target, init) {
      const url = typeof target === "string" ? target : target.url;
      calls.push({ name: id.name, url, method: init ? init.method : target.method,
        body: init && init.body ? JSON.parse(init.body) : null });
      return new Response(JSON.stringify({ sent: 1 }), { status });
    } }; },
  } };
})"""


def _request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
    from quizhub.cloudflare._ffi import to_js

    return js(_REQUEST)(url, method, to_js(headers or {}), "")


def _object(fixture: Any) -> Any:
    import consumer_worker

    return consumer_worker.LiveStatus(fixture.ctx, js("({})"))


def _upgrade_url(test_id: str = "travel", now_ms: int | None = None) -> str:
    """A live URL with a well-formed ticket (the object spends it; the Worker checked it)."""
    from quizhub.bindings import wall_clock_ms
    from quizhub.push.protocol import live_path, make_ticket

    ticket = make_ticket(b"key", test_id, wall_clock_ms() if now_ms is None else now_ms)
    return f"https://quiz.example{live_path(test_id)}?ticket={ticket}"


async def check_the_object_accepts_a_socket_by_the_hibernation_api(h: Any) -> None:
    fixture = js(_INSTALL)
    try:
        obj = _object(fixture)
        assert (str(fixture.ctx.auto.request), str(fixture.ctx.auto.response)) == ("ping", "pong")
        answer = await obj.fetch(_request(_upgrade_url(), headers={"upgrade": "websocket"}))
        assert int(answer.status) == 101 and str(answer.webSocket.name) == "client"
        [server] = list(fixture.ctx.getWebSockets())
        assert str(server.name) == "server"
        attachment = js_json(server.attachment)
        assert attachment["testId"] == "travel" and isinstance(attachment["since"], int)
        assert json.loads(str(server.sent[0])) == {"type": "hello", "testId": "travel"}
        assert json.loads(str(server.sent[1])) == {"type": "presence", "editors": 1}
    finally:
        fixture.restore()


async def check_a_closing_socket_leaves_the_others_a_presence_count(h: Any) -> None:
    """``webSocketClose`` (the runtime still lists the closing socket) tells the remaining
    sockets how many are open, found by the id each socket's attachment holds."""
    fixture = js(_INSTALL)
    try:
        obj = _object(fixture)
        for _ in range(2):
            answer = await obj.fetch(_request(_upgrade_url(), headers={"upgrade": "websocket"}))
            assert int(answer.status) == 101
        first, second = list(fixture.ctx.getWebSockets())
        assert json.loads(str(first.sent[-1])) == {"type": "presence", "editors": 2}
        await obj.webSocketClose(second, 1000, "bye", True)
        assert list(second.closed) == [1000, "bye"]
        assert json.loads(str(first.sent[-1])) == {"type": "presence", "editors": 1}
    finally:
        fixture.restore()


def _stored_keys(fixture: Any) -> list[str]:
    return list(js_json(js("(storage) => [...storage.data.keys()]")(fixture.ctx.storage)))


async def check_the_object_spends_a_ticket_once_even_across_hibernation(h: Any) -> None:
    from quizhub.bindings import wall_clock_ms
    from quizhub.cloudflare.push import DurableTicketStorage, object_fetch
    from quizhub.push.protocol import TICKET_TTL_SECONDS
    from quizhub.push.tickets import SPENT_PREFIX

    fixture = js(_INSTALL)
    try:
        url, upgrade = _upgrade_url(), {"upgrade": "websocket"}
        assert int((await _object(fixture).fetch(_request(url, headers=upgrade))).status) == 101
        # A new instance over the same state: what a hibernated object wakes up as.
        again = await _object(fixture).fetch(_request(url, headers=upgrade))
        assert int(again.status) == 401
        assert json.loads(str(await again.text()))["error"]["code"] == "ticket_spent"
        assert len(list(fixture.ctx.getWebSockets())) == 1
        [spent] = _stored_keys(fixture)
        assert spent.startswith(SPENT_PREFIX)
        # Expired records go at the next spend, deleted in batches of at most 128 keys.
        storage = DurableTicketStorage(fixture.ctx)
        for n in range(300):
            await storage.put(f"{SPENT_PREFIX}{n:016d}:{n:032x}", n)
        later = wall_clock_ms() + TICKET_TTL_SECONDS * 1000 + 1  # the first ticket has expired
        request = _request(_upgrade_url(now_ms=later), headers=upgrade)
        assert int((await object_fetch(fixture.ctx, request, later)).status) == 101
        [kept] = _stored_keys(fixture)
        assert kept != spent and await storage.get(kept) == later + TICKET_TTL_SECONDS * 1000
    finally:
        fixture.restore()


async def check_a_notice_is_broadcast_to_every_socket(h: Any) -> None:
    from quizhub.cloudflare.push import NOTIFY_URL

    fixture = js(_INSTALL)
    try:
        obj = _object(fixture)
        good, broken, other = fixture.socket("a"), fixture.socket("b", True), fixture.socket("c")
        for ws in (good, broken, other):
            fixture.ctx.acceptWebSocket(ws)
        notice = {"type": "job", "phase": "committed", "job": {"jobId": "j1", "rev": "r"}}
        request = js(_REQUEST)(NOTIFY_URL, "POST", js("({})"), json.dumps(notice))
        answer = await obj.fetch(request)
        assert int(answer.status) == 200 and json.loads(str(await answer.text())) == {"sent": 2}
        assert [json.loads(str(ws.sent[-1])) for ws in (good, other)] == [notice, notice]
        bad = js(_REQUEST)(NOTIFY_URL, "POST", js("({})"), '{"type": "hello"}')
        assert int((await obj.fetch(bad)).status) == 400
    finally:
        fixture.restore()


async def check_messages_and_closes_of_a_hibernated_socket(h: Any) -> None:
    fixture = js(_INSTALL)
    try:
        obj = _object(fixture)
        ws = fixture.socket("a")
        await obj.webSocketMessage(ws, "ping")
        await obj.webSocketMessage(ws, "hello")
        assert [str(t) for t in ws.sent] == ["pong"]
        await obj.webSocketClose(ws, 1001, "going away", True)
        assert js_json(ws.closed) == [1001, "going away"]
    finally:
        fixture.restore()


async def check_the_channel_posts_the_message_to_the_tests_object(h: Any) -> None:
    from quizhub.cloudflare.push import NOTIFY_URL, DurableLiveChannel
    from quizhub.errors import Transient

    fixture = js(_NAMESPACE)(200)
    message = {"type": "job", "phase": "live", "job": {"jobId": "j1", "error": None}}
    await DurableLiveChannel(fixture.namespace).publish("travel", message)
    assert js_json(fixture.calls) == [
        {"name": "travel", "url": NOTIFY_URL, "method": "POST", "body": message}
    ]
    try:
        await DurableLiveChannel(js(_NAMESPACE)(500).namespace).publish("travel", message)
    except Transient:
        pass
    else:
        raise AssertionError("a refused notice must raise Transient")


async def check_the_api_worker_checks_ticket_and_origin_then_hands_over(h: Any) -> None:
    from dataclasses import replace

    from quizhub.cloudflare.push import DurableLiveChannel, live_upgrade
    from quizhub.push.protocol import live_path, make_ticket

    fixture = js(_NAMESPACE)(200)
    b = replace(h.bindings, live=DurableLiveChannel(fixture.namespace))
    origin = b.settings.public_origin
    ticket = make_ticket(b.settings.signing_key, "travel", b.clock_ms())
    url = f"{origin}{live_path('travel')}?ticket={ticket}"
    upgrade = {"upgrade": "websocket", "origin": origin}

    async def status(target: str, headers: dict[str, str]) -> int:
        return int((await live_upgrade(_request(target, headers=headers), b)).status)

    assert await live_upgrade(_request(f"{origin}/api/tests"), b) is None
    assert await status(url, {"origin": origin}) == 426
    assert await status(f"{origin}{live_path('travel')}?ticket=1.x", upgrade) == 401
    assert await status(url.replace("travel", "other"), upgrade) == 401
    assert await status(url, {**upgrade, "origin": "https://evil.example"}) == 403
    assert js_json(fixture.calls) == []
    assert await status(url, upgrade) == 200  # the stand-in object's answer, handed back
    assert [c["name"] for c in js_json(fixture.calls)] == ["travel"]


async def check_the_consumer_entry_notifies_the_tests_object(h: Any) -> None:
    from tests.pyodide.checks_entry_consumer import _accept, _deliveries, _install_handler, _job

    fixture = js(_NAMESPACE)(200)
    env = js("(env, ns) => new Proxy(env, { get: (t, p) => p === 'LIVE_STATUS' ? ns : t[p] })")(
        h.consumer_env, fixture.namespace
    )
    h.consumer_entry_env = entry_env(env)
    try:
        _install_handler(h)
        before = len(await _deliveries(h, 0, 0))
        accepted = await _accept(h, "e-live", "실시간 알림")
        await _deliveries(h, before + 1)
        row = await _job(h, accepted.job_id)
        assert row is not None and row.status == "succeeded", row
    finally:
        h.consumer_entry_env = None
    calls = [c for c in js_json(fixture.calls) if c["body"]["job"]["jobId"] == accepted.job_id]
    assert {c["name"] for c in calls} == {"e-live"}
    phases = [c["body"]["phase"] for c in calls]
    assert phases[-1] == "succeeded" and "committed" in phases, phases
    assert phases.index("committed") < phases.index("live") < len(phases) - 1, phases
