"""uvicorn's h11 protocol with a deadline for a request's headers.

uvicorn closes idle keep-alive connections but waits for a request's headers forever, so a
client that sends them a byte at a time holds a connection for as long as it likes (slowloris).
Here every request's headers must be complete within ``HEADER_TIMEOUT_S`` of the connection
opening or of its first byte after a response; otherwise the client reads a 408 in the API's
error shape and the connection closes. Bodies have their own deadlines (per chunk and for the
whole body) in ``quizhub.edge.guard``. Cloudflare's edge does all of this for the Workers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from quizhub.edge.guard import Rejection
from quizhub.errors import Code

__all__ = ["HeaderDeadlineH11", "HEADER_TIMEOUT_S"]

HEADER_TIMEOUT_S = 10.0

_TIMEOUT = Rejection(408, Code.TIMEOUT, "the request headers arrived too slowly")
_BODY = _TIMEOUT.body()
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    + "".join(f"{k.lower()}: {v}\r\n" for k, v in _TIMEOUT.all_headers().items()).encode()
    + f"connection: close\r\ncontent-length: {len(_BODY)}\r\n\r\n".encode()
    + _BODY
)


class HeaderDeadlineH11(H11Protocol):
    """``uvicorn.Config(http=HeaderDeadlineH11)``."""

    header_timeout_s = HEADER_TIMEOUT_S
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers() and self._deadline is None:
            self._arm()
        super().data_received(data)
        if not self._waiting_for_headers():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _waiting_for_headers(self) -> bool:
        cycle: Any = self.cycle
        return cycle is None or bool(cycle.response_complete)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()
