"""The one set of hand-written fakes: a clock, a way to run coroutines, recorders and queue
edges. Platforms are built by ``quizhub.local.platform.build_platform`` (never rewired here);
these only wrap or drive what it builds. The reliability rig and the benchmark use them too."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from quizhub.bindings import Bindings, SaveMode, Settings
from quizhub.local.platform import LocalPlatform, build_platform
from quizhub.pipeline.names import IMAGE_QUEUE, SAVE_QUEUE
from quizhub.ports import QueueProducer

T = TypeVar("T")
TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START_MS = 1_795_000_000_000  # 2026-11-18T09:46:40Z


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion (tests are sync; no event-loop plugin needed)."""
    return asyncio.run(coro)


class FakeClock:
    """Milliseconds since the epoch that move only when a test (or a rig) moves them."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, ms: int) -> None:
        """Move time forward by ``ms`` milliseconds."""
        self.ms += ms


class RecordingQueue:
    """A queue producer that forwards to ``inner`` and keeps what was durably sent (JSON
    round-tripped, like the wire). Without ``inner`` it only records."""

    def __init__(self, inner: QueueProducer | None = None) -> None:
        self.inner = inner
        self.sent: list[dict[str, Any]] = []

    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        if self.inner is not None:
            await self.inner.send(body, content_type=content_type, delay_seconds=delay_seconds)
        self.sent.append(json.loads(json.dumps(body)))

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        if self.inner is not None:
            await self.inner.send_batch(messages)
        self.sent.extend(json.loads(json.dumps(m["body"])) for m in messages)


def recording(b: Bindings) -> Bindings:
    """A ``build_platform`` wrapper: the job queues' producers (save and image) also record
    what they sent."""
    return replace(b, queue=RecordingQueue(b.queue), image_queue=RecordingQueue(b.image_queue))


def sent(b: Bindings, queue: str = SAVE_QUEUE) -> list[dict[str, Any]]:
    """Every message ``b``'s recording producer of ``queue`` (the save queue, or the image
    queue) sent, oldest first."""
    producer = {SAVE_QUEUE: b.queue, IMAGE_QUEUE: b.image_queue}[queue]
    while not isinstance(producer, RecordingQueue):
        producer = producer._inner  # type: ignore[attr-defined]  # through fault/latency proxies
    return producer.sent


def make_platform(
    tmp: Path,
    clock: FakeClock,
    *,
    mode: SaveMode = "queue",
    wrap: Any = None,
    analytics: PgParams | None = None,
    rate_limits: bool = True,
    kv_lag_ms: int = 0,
    **settings: Any,
) -> LocalPlatform:
    """A platform in ``tmp`` on the fake clock whose queue records what it sent (with
    ``analytics``, play events go to that Postgres); ``rate_limits`` and ``kv_lag_ms`` go to
    ``build_platform``, every other keyword into ``Settings``."""

    def wrapped(b: Bindings) -> Bindings:
        recorded = recording(b)
        return wrap(recorded) if wrap is not None else recorded

    return build_platform(
        tmp,
        Settings(admin_token=TOKEN, **settings),
        mode=mode,
        clock_ms=clock,
        wrap=wrapped,
        analytics=analytics,
        rate_limits=rate_limits,
        kv_lag_ms=kv_lag_ms,
    )


# A well-formed rev that no test has (events whose revision does not matter to a test).
NO_SUCH_REV = "01KA0000000000000000000000"


def play_event(
    event_id: str,
    kind: str,
    test_id: str,
    *,
    session: str,
    rev: str = NO_SUCH_REV,
    at: float = START_MS,
    **extra: Any,
) -> dict[str, Any]:
    """One play event as the public site sends it: ``kind`` is its ``type``, ``rev`` the
    revision being played; ``extra`` are the answer's ``questionId``/``optionId``, the
    complete's ``resultId`` (or fields a test overrides, ``id`` included)."""
    return {
        "id": event_id,
        "type": kind,
        "testId": test_id,
        "at": at,
        "session": session,
        "rev": rev,
        **extra,
    }


ANALYTICS_TABLES = (
    "play_events",
    "test_daily",
    "test_daily_results",
    "test_daily_questions",
    "test_daily_rejected",
    "play_session_counts",
    "plays",
)


def reset_analytics(params: PgParams) -> PgParams:
    """Empty the analytics tables (one Postgres per test session; a clean slate per test)."""

    async def truncate() -> None:
        async with AsyncpgDatabase(params).connect() as conn:
            await conn.execute(f"TRUNCATE {', '.join(ANALYTICS_TABLES)}")

    run(truncate())
    return params


class SwitchableDatabase:
    """An ``AnalyticsDatabase`` that refuses connections while ``down`` (a Postgres outage)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.down = False
        self.refused = 0

    def describe(self) -> str:
        return str(self.inner.describe())

    def connect(self) -> Any:
        if self.down:
            self.refused += 1
            raise ConnectionRefusedError("the analytics database is down (simulated outage)")
        return self.inner.connect()


def with_outage_switch(b: Bindings) -> Bindings:
    """A ``build_platform`` wrapper whose analytics database can be switched off."""
    return replace(b, analytics=SwitchableDatabase(b.analytics))


@dataclass
class FakeMessage:
    """A delivered message that records the first ack/retry call (Cloudflare: first call wins)."""

    body: Any
    attempts: int = 1
    id: str = "msg-1"
    outcome: str | None = None
    delay: int | None = None

    def ack(self) -> None:
        if self.outcome is None:
            self.outcome = "ack"

    def retry(self, *, delay_seconds: int | None = None) -> None:
        if self.outcome is None:
            self.outcome, self.delay = "retry", delay_seconds


@dataclass
class FakeBatch:
    messages: list[FakeMessage]
    queue: str = SAVE_QUEUE
    calls: list[str] = field(default_factory=list)

    def ack_all(self) -> None:
        for m in self.messages:
            m.ack()

    def retry_all(self, *, delay_seconds: int | None = None) -> None:
        for m in self.messages:
            m.retry(delay_seconds=delay_seconds)


class Flaky:
    """Wraps a binding; the named method raises ``error`` for its next ``failures`` calls."""

    def __init__(
        self, inner: Any, method: str, failures: int, error: Exception | None = None
    ) -> None:
        self._inner, self._method, self.failures = inner, method, failures
        self._error = error or ConnectionError(f"injected {method} failure")
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.failures > 0:
                self.failures -= 1
                raise self._error
            return await attr(*args, **kwargs)

        return flaky


class FlakyWrap:
    """A ``build_platform`` wrapper that puts a ``Flaky`` around the binding ``field`` (its
    ``method`` fails ``failures`` times, with ``error``); ``flaky`` is the one it made."""

    def __init__(
        self, field: str, method: str, failures: int, error: Exception | None = None
    ) -> None:
        self.field, self.method, self.failures, self.error = field, method, failures, error
        self._flaky: Flaky | None = None

    @property
    def flaky(self) -> Flaky:
        assert self._flaky is not None, "the platform has not been built with this wrap yet"
        return self._flaky

    def __call__(self, b: Bindings) -> Bindings:
        self._flaky = Flaky(getattr(b, self.field), self.method, self.failures, self.error)
        return replace(b, **{self.field: self._flaky})


ACCESS_TEAM = "quizhub-test.cloudflareaccess.com"
ACCESS_AUD = "aud-tag-of-the-admin-application"
EDITOR = "editor@quizhub.example"


@functools.cache
def _rsa_keys() -> tuple[Any, Any]:
    """Two RSA keys, generated once per process (generation is the slow part)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)


class AccessTeam:
    """A Cloudflare Access team in a file: a signing key whose public half is in the JWKS file
    ``jwks`` (what ``CF_ACCESS_JWKS_FILE`` names), a stranger key that is not, and a minter of
    real RS256 tokens on ``clock``."""

    def __init__(self, directory: Path, clock: FakeClock) -> None:
        self.key, self.stranger = _rsa_keys()
        self.clock = clock
        self.jwks = directory / "access-certs.json"
        self.publish({"k1": self.key})

    @staticmethod
    def jwk(key: Any, kid: str) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        return {**public, "kid": kid, "alg": "RS256", "use": "sig"}

    def publish(self, keys: dict[str, Any]) -> None:
        """Write the team's JWKS (``kid`` → private key; only the public halves are written)."""
        document = {"keys": [self.jwk(key, kid) for kid, key in keys.items()]}
        self.jwks.write_text(json.dumps(document), encoding="utf-8")

    def settings(self) -> dict[str, Any]:
        """The Settings fields that point the platform at this team."""
        return {
            "cf_access_team_domain": ACCESS_TEAM,
            "cf_access_aud": ACCESS_AUD,
            "access_jwks_file": str(self.jwks),
        }

    def token(self, *, key: Any = None, kid: str = "k1", **claims: Any) -> str:
        """A signed token for ``EDITOR``, valid for ten minutes; ``claims`` override."""
        import jwt

        now = self.clock() // 1000
        body = {"aud": [ACCESS_AUD], "iss": f"https://{ACCESS_TEAM}", "email": EDITOR}
        body |= {"iat": now, "nbf": now, "exp": now + 600, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})
