"""HTTP edges of the real dev server, spoken to by plain clients (no browser needed)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from tests.browser.conftest import ADMIN_TOKEN


def _raw(base: str, request: bytes, body: bytes = b"") -> bytes:
    """Send a raw HTTP/1.1 request (the whole body before reading, as simple clients do)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(request + body)  # "Connection: close": the server ends the exchange
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_an_over_limit_body_sent_in_full_still_gets_its_413(server: str) -> None:
    """A client that sends all 2 MiB before reading gets the 413, not a reset connection."""
    body = b"x" * (2 * 1024 * 1024)
    head = (
        f"PUT /api/admin/tests/edge HTTP/1.1\r\nHost: local\r\n"
        f"Authorization: Bearer {ADMIN_TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = _raw(server, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _get(server: str, method: str, path: str) -> bytes:
    return _raw(
        server, f"{method} {path} HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n".encode()
    )


def test_static_files_answer_only_get_and_head_and_hide_config_files(server: str) -> None:
    """POST to a page is 405 with Allow; _headers and dot files are 404 however spelled; HEAD
    works on pages and on API reads, without a body."""
    posted = _get(server, "POST", "/index.html")
    assert _status(posted) == 405 and b"allow: get, head" in posted.lower()
    for path in ("/_headers", "/%5Fheaders", "/./_headers", "/admin/../_headers", "/.dev.vars"):
        assert _status(_get(server, "GET", path)) == 404, path
    assert _status(_get(server, "GET", "/admin/")) == 200  # a directory stays one (no loop)
    for path in ("/", "/api/tests", "/api/health"):
        answer = _get(server, "HEAD", path)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert _status(answer) == 200 and body == b"", (path, answer[:300])
