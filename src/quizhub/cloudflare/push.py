"""The live status on Cloudflare: the ``LiveChannel`` over the per-test Durable Object, the API
Worker's WebSocket upgrade (ticket and Origin checked, then handed to the object), and the
Durable Object's side of the hibernation API around ``quizhub.push.hub.LiveHub``, which spends
each ticket once (``quizhub.push.tickets``, the record in the object's storage).

The Durable Object class itself is ``LiveStatus`` in ``src/consumer_worker.py`` (hosted by the
consumer Worker, bound by both Workers as ``LIVE_STATUS``; the API Worker by ``script_name``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from quizhub.bindings import Bindings, wall_clock_ms
from quizhub.cloudflare._ffi import from_js, js_response, to_js, unwrap
from quizhub.edge.guard import Rejection
from quizhub.errors import Code, Transient
from quizhub.push.hub import BadNotice, LiveHub
from quizhub.push.protocol import (
    LIVE_ROOT,
    NOT_AN_UPGRADE,
    NOT_BOUND,
    PING,
    PONG,
    TICKET_SPENT,
    test_id_of,
    upgrade_refusal,
)
from quizhub.push.tickets import spend_ticket

__all__ = [
    "LIVE_BINDING",
    "NOTIFY_URL",
    "DurableLiveChannel",
    "DurableRoom",
    "DurableTicketStorage",
    "live_upgrade",
    "object_fetch",
    "object_message",
    "object_close",
    "answer_pings_asleep",
]

LIVE_BINDING = "LIVE_STATUS"  # [[durable_objects.bindings]] in both wrangler configs
# Where the pipeline's notices go inside the object (its own URL space; never public).
NOTIFY_URL = "https://live-status.internal/notify"


def _stub(namespace: Any, test_id: str) -> Any:
    return namespace.get(namespace.idFromName(test_id))


class DurableLiveChannel:
    """``LiveChannel``: POST the message to the test's Durable Object, which broadcasts it."""

    def __init__(self, namespace: Any) -> None:
        self.namespace = unwrap(namespace)

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        init = {
            "method": "POST",
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(message, ensure_ascii=False),
        }
        response = await _stub(self.namespace, test_id).fetch(NOTIFY_URL, to_js(init))
        if not response.ok:
            status = int(response.status)
            raise Transient(
                f"live status object answered {status}",
                code=Code.LIVE_PUBLISH_FAILED,
                params={"status": status},
            )


def _refuse(status: int, code: Code, message: str) -> Any:
    return js_response(Rejection(status, code, message))


async def live_upgrade(request: Any, b: Bindings) -> Any | None:
    """The API Worker's WebSocket route: None when ``request`` is not for a live path; else a
    refusal (426 not an upgrade, 401 no valid ticket for that test, 403 a foreign Origin, 503
    not bound) or the test's Durable Object's answer to the upgrade (401 for a spent ticket)."""
    import js

    raw = getattr(request, "js_object", request)
    url = js.URL.new(raw.url)
    path = unquote(str(url.pathname))
    test_id = test_id_of(path)
    if test_id is None:
        return None if not path.startswith(LIVE_ROOT) else _refuse(404, Code.NOT_A_LIVE_PATH, path)
    if str(raw.headers.get("Upgrade") or "").lower() != "websocket":
        return _refuse(*NOT_AN_UPGRADE)
    ticket = str(from_js(url.searchParams.get("ticket")) or "")
    origin = from_js(raw.headers.get("Origin"))
    s = b.settings
    refusal = upgrade_refusal(s.signing_key, s.public_origin, test_id, ticket, origin, b.clock_ms())
    if refusal is not None:
        return _refuse(*refusal)
    if not isinstance(b.live, DurableLiveChannel):
        return _refuse(*NOT_BOUND)
    return await _stub(b.live.namespace, test_id).fetch(raw)


# ---------------------------------------------------------------- inside the Durable Object
def _state(ctx: Any) -> Any:
    """The raw ``DurableObjectState`` behind the SDK's ``DurableObjectContext``."""
    return getattr(ctx, "__dict__", {}).get("_ctx", ctx)


class DurableRoom:
    """``Room`` over the hibernation API: the runtime keeps the sockets, not this object."""

    def __init__(self, ctx: Any) -> None:
        self.state = _state(ctx)

    def accept(self, socket: Any, attachment: dict[str, Any]) -> None:
        self.state.acceptWebSocket(socket)
        socket.serializeAttachment(to_js(attachment))

    def sockets(self) -> Sequence[Any]:
        return list(self.state.getWebSockets())

    def attachment(self, socket: Any) -> dict[str, Any]:
        kept = from_js(socket.deserializeAttachment())
        return kept if isinstance(kept, dict) else {}


class DurableTicketStorage:
    """``TicketStorage`` over the object's storage, which outlives hibernation (and eviction)."""

    _BATCH = 128  # the most keys one ``delete`` takes

    def __init__(self, ctx: Any) -> None:
        self.storage = _state(ctx).storage

    async def get(self, key: str) -> int | None:
        value = from_js(await self.storage.get(key))
        return int(value) if value is not None else None

    async def put(self, key: str, value: int) -> None:
        await self.storage.put(key, value)

    async def delete_range(self, start: str, end: str) -> int:
        deleted = 0
        while True:
            options = {"start": start, "end": end, "limit": self._BATCH}
            keys = list(from_js(await self.storage.list(to_js(options))) or {})
            if not keys:
                return deleted
            await self.storage.delete(to_js(keys))
            deleted += len(keys)


def answer_pings_asleep(ctx: Any) -> None:
    """``ping`` → ``pong`` by the runtime itself, without waking a hibernating object."""
    import js

    _state(ctx).setWebSocketAutoResponse(js.WebSocketRequestResponsePair.new(PING, PONG))


async def object_fetch(ctx: Any, request: Any, now_ms: int | None = None) -> Any:
    """The object's ``fetch``: a WebSocket upgrade (already checked by the API Worker) spends
    its ticket and joins the test's room (401 when the ticket was spent before); a POST to
    ``NOTIFY_URL`` is broadcast to every socket in it."""
    import js

    raw = getattr(request, "js_object", request)
    url = js.URL.new(raw.url)
    hub = LiveHub(DurableRoom(ctx))
    if str(raw.headers.get("Upgrade") or "").lower() == "websocket":
        test_id = test_id_of(unquote(str(url.pathname)))
        if test_id is None:
            return _refuse(404, Code.NOT_A_LIVE_PATH, "not a live-status path")
        now = wall_clock_ms() if now_ms is None else now_ms
        ticket = str(from_js(url.searchParams.get("ticket")) or "")
        if not await spend_ticket(DurableTicketStorage(ctx), ticket, now):
            return _refuse(*TICKET_SPENT)
        client, server = js.Object.values(js.WebSocketPair.new())
        hub.connect(server, test_id, now)
        return js.Response.new(None, to_js({"status": 101, "webSocket": client}))
    if str(raw.method) == "POST" and str(url.href) == NOTIFY_URL:
        try:
            sent = hub.publish(str(await raw.text()))
        except BadNotice as exc:
            return _refuse(400, Code.BAD_NOTICE, str(exc))
        return js.Response.new(json.dumps({"sent": sent}), to_js({"status": 200}))
    return _refuse(404, Code.NOT_A_LIVE_PATH, "not a live-status request")


def object_message(socket: Any, message: Any) -> None:
    """The object's ``webSocketMessage`` (pings are answered asleep; this is the fallback)."""
    reply = LiveHub.reply(message if isinstance(message, str) else from_js(message) or b"")
    if reply is not None:
        socket.send(reply)


def object_close(ctx: Any, socket: Any, code: int, reason: str) -> None:
    """The object's ``webSocketClose``: complete the closing handshake, then tell the test's
    other sockets how many remain (presence)."""
    with contextlib.suppress(Exception):  # already closed (1005/1006 cannot be sent back)
        socket.close(code, reason)
    LiveHub(DurableRoom(ctx)).leave(socket)
