"""The bindings bundle that every request, batch and workflow step receives.

Built in exactly one place per platform: ``quizhub.local.platform.build_bindings`` and
``quizhub.cloudflare.env.bindings_from_env``. Application code only reads it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

from quizhub.domain.revisions import RevGenerator
from quizhub.ports import (
    AccessIdentity,
    AnalyticsDatabase,
    Cache,
    CpuWork,
    D1Database,
    ImageTransformer,
    KVNamespace,
    LiveChannel,
    Purger,
    QueueProducer,
    R2Bucket,
    RateLimiter,
    TextEmbedder,
    VectorIndex,
    WorkflowBinding,
)

__all__ = [
    "AccessConfig",
    "ConfigError",
    "Settings",
    "Bindings",
    "SaveMode",
    "SAVE_MODES",
    "parse_save_mode",
    "wall_clock_ms",
    "team_domain",
    "InPlace",
]

T = TypeVar("T")


class ConfigError(ValueError):
    """A var or secret whose value cannot work; its message is one line that says what to set."""


SaveMode = Literal["queue", "workflow", "sync"]
SAVE_MODES: tuple[SaveMode, ...] = get_args(SaveMode)


def parse_save_mode(value: str) -> SaveMode:
    """``value`` as a save mode ("" = the default, queue); ValueError naming the choices."""
    for mode in SAVE_MODES:
        if value == mode:
            return mode
    if not value:
        return "queue"
    raise ValueError(f"SAVE_MODE must be one of {', '.join(SAVE_MODES)}, not {value!r}")


def parse_flag(value: str) -> bool:
    """An on/off variable: "1", "true", "yes" or "on" (any case) is on; anything else is off."""
    return value.strip().lower() in ("1", "true", "yes", "on")


# A team domain is a host name: <team>.cloudflareaccess.com or a custom domain.
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def team_domain(value: str) -> str:
    """``CF_ACCESS_TEAM_DOMAIN`` as a bare host name. Cloudflare's own examples write it as
    ``https://<team>.cloudflareaccess.com``: with or without the scheme and a trailing slash it
    is the same team. ValueError, in one line, for anything else (a path, another scheme)."""
    host = value.strip().lower().removesuffix("/")
    host = host.removeprefix("https://")
    if not _HOST.match(host):
        raise ValueError(
            f"CF_ACCESS_TEAM_DOMAIN must be your Access team's domain, e.g."
            f" myteam.cloudflareaccess.com (https:// may precede it), not {value.strip()[:80]!r}"
        )
    return host


@dataclass(frozen=True)
class AccessConfig:
    """The Access application a token must be for."""

    team_domain: str  # e.g. "quizhub.cloudflareaccess.com"
    audience: str  # the application's AUD tag

    @property
    def issuer(self) -> str:
        return f"https://{self.team_domain}"

    @property
    def certs_url(self) -> str:
        return f"https://{self.team_domain}/cdn-cgi/access/certs"


# Constructing a generator draws no randomness and reads no clock (safe at import time).
_PROCESS_REVS = RevGenerator()


def wall_clock_ms() -> int:
    """Milliseconds since the epoch (the real clock; tests inject a fake one)."""
    return time.time_ns() // 1_000_000


class InPlace:
    """``CpuWork`` that runs the work where it is awaited: Cloudflare's (one isolate per
    invocation, no threads in Pyodide), and every platform's that names no other."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return fn(*args)


@dataclass(frozen=True)
class Settings:
    """Configuration read from vars/secrets (Workers) or the environment/.dev.vars (local)."""

    admin_token: str
    # Key for self-authenticating job ids; falls back to the admin token when unset.
    job_secret: str = ""
    save_mode: SaveMode = "queue"
    # Cloudflare zone purge (optional): both must be set to enable it.
    cf_api_token: str = ""
    cf_zone_id: str = ""
    # Public origin used to build absolute cache keys/purge URLs, e.g. https://quiz.example.
    public_origin: str = "http://127.0.0.1:8787"
    kv_ttl_seconds: int = 300
    # Retry policy of the save queue; max_retries must equal the consumer's setting in
    # wrangler.consumer.toml (the local platform reads it from there).
    max_retries: int = 5
    retry_base_seconds: int = 2
    retry_max_seconds: int = 300
    # Cloudflare Access (quizhub.edge.access): both set = admin requests may carry an Access token.
    cf_access_team_domain: str = ""
    cf_access_aud: str = ""
    # With Access on, the shared bearer token can be switched off (ADMIN_TOKEN_DISABLED=1).
    admin_token_disabled: bool = False
    # Locally (and in tests) the team's keys come from this JWKS file instead of its URL.
    access_jwks_file: str = ""
    # Kakao's JavaScript key (KAKAO_JS_KEY, a var: it is public in every page that uses it):
    # set, the pages load Kakao's SDK and offer KakaoTalk sharing (docs/sharing.md#kakaotalk).
    kakao_js_key: str = ""

    @property
    def access(self) -> AccessConfig | None:
        """The Access application admin tokens are for; None when Access is not configured."""
        if self.cf_access_team_domain and self.cf_access_aud:
            return AccessConfig(self.cf_access_team_domain, self.cf_access_aud)
        return None

    @property
    def signing_key(self) -> bytes:
        return (self.job_secret or self.admin_token).encode("utf-8")


def settings_from_vars(get: Callable[[str], str]) -> Settings:
    """The vars and secrets both platforms read, by name: ADMIN_TOKEN, JOB_SECRET, SAVE_MODE,
    CF_API_TOKEN, CF_ZONE_ID, Cloudflare Access's CF_ACCESS_TEAM_DOMAIN, CF_ACCESS_AUD and
    ADMIN_TOKEN_DISABLED, and KAKAO_JS_KEY. ``get`` answers "" for an unset name; each platform
    adds its own. ConfigError, in one line, for a value that cannot work (the server refuses to
    start)."""
    try:
        return _settings(get)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _settings(get: Callable[[str], str]) -> Settings:
    domain, audience = get("CF_ACCESS_TEAM_DOMAIN"), get("CF_ACCESS_AUD").strip()
    if bool(domain.strip()) != bool(audience):
        raise ValueError("Cloudflare Access needs both CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD")
    return Settings(
        admin_token=get("ADMIN_TOKEN"),
        job_secret=get("JOB_SECRET"),
        save_mode=parse_save_mode(get("SAVE_MODE")),
        cf_api_token=get("CF_API_TOKEN"),
        cf_zone_id=get("CF_ZONE_ID"),
        cf_access_team_domain=team_domain(domain) if domain.strip() else "",
        cf_access_aud=audience,
        admin_token_disabled=parse_flag(get("ADMIN_TOKEN_DISABLED")),
        kakao_js_key=parse_kakao_key(get("KAKAO_JS_KEY")),
    )


_KAKAO_KEY = re.compile(r"[A-Za-z0-9]{16,64}")


def parse_kakao_key(value: str) -> str:
    """KAKAO_JS_KEY: empty (Kakao sharing off) or an app key of letters and digits (it is
    written into every page, so nothing else is let through)."""
    key = value.strip()
    if key and not _KAKAO_KEY.fullmatch(key):
        raise ValueError(
            "KAKAO_JS_KEY must be the JavaScript key of a Kakao app (16-64 letters and digits)"
        )
    return key


@dataclass(frozen=True)
class Bindings:
    """Everything the app and the pipeline may touch. Ports only; no platform types."""

    db: D1Database
    bucket: R2Bucket
    kv: KVNamespace
    queue: QueueProducer
    # Image jobs' own queue (quizhub.pipeline.names.IMAGE_QUEUE), consumed one message at a time.
    image_queue: QueueProducer
    cache: Cache
    purger: Purger
    settings: Settings
    clock_ms: Callable[[], int] = wall_clock_ms
    # Makes revs; one per process/isolate keeps revs of that process strictly increasing.
    revs: RevGenerator = field(default_factory=lambda: _PROCESS_REVS)
    # The Workflow binding (SAVE_WF) used in SAVE_MODE=workflow: create(id=, params=) / get(id).
    workflow: WorkflowBinding | None = None
    # Search's vector side (VECTORIZE, AI); None where they are not bound: keyword search only.
    vectorize: VectorIndex | None = None
    ai: TextEmbedder | None = None
    # The live save status (quizhub.push): job transitions pushed to the editors' WebSockets;
    # None where it is not bound (the admin UI then polls).
    live: LiveChannel | None = None
    # Rate limiting bindings by name (quizhub.edge.ratelimits.RULES); a missing one does not limit.
    rate_limits: dict[str, RateLimiter] = field(default_factory=dict)
    # Cloudflare Access verification (None: bearer token only). Who the editor of a request is
    # is request-scoped: the front door puts it in the request (quizhub.edge.guard.EDITOR_KEY).
    access: AccessIdentity | None = None
    # Play analytics (quizhub.analytics): the queue POST /api/events sends to (ANALYTICS_QUEUE)
    # and the Postgres the consumer writes and the admin stats read (HYPERDRIVE); None where
    # they are not bound (events answer 503, stats too).
    analytics_queue: QueueProducer | None = None
    analytics: AnalyticsDatabase | None = None
    # Search's index queue (quizhub.search.indexing): a committed save asks there for its
    # vectors to follow; None where it is not bound (the index step then indexes at once).
    index_queue: QueueProducer | None = None
    # Image variants (IMAGES on Cloudflare, Pillow locally); None where it is not bound: image
    # jobs then fail with that reason (the upload itself is still accepted).
    images: ImageTransformer | None = None
    # Where a step's CPU-bound work runs (preview cards): in place on Cloudflare, on a worker
    # thread locally, where the same event loop serves requests.
    cpu: CpuWork = field(default_factory=InPlace)
