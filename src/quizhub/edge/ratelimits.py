"""Rate limits, written once: which requests count, against which binding, keyed by what.

On Cloudflare each rule is a Workers Rate Limiting binding (``[[ratelimits]]`` in wrangler.toml,
whose ``limit``/``period`` must equal the rule's; tests/deploy checks it): it counts per
location and answers only allowed or not, so ``Retry-After`` is the rule's period. Locally
``quizhub.local.ratelimit.LocalRateLimiter`` counts the same windows on the platform clock.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from quizhub.domain.ids import TEST_ID_PATTERN

__all__ = [
    "ADMIN_PREFIX",
    "EVENTS_PATH",
    "RateRule",
    "RULES",
    "PLAY_EVENTS",
    "rule_for",
    "limit_key",
    "bearer_token",
]

# Where the admin API lives (its router, the guard's credentials check and these rules).
ADMIN_PREFIX = "/api/admin"
# Where play events are posted (quizhub.api.events; the guard's size limit and these rules).
EVENTS_PATH = "/api/events"

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TEST = TEST_ID_PATTERN.strip("^$")
# Admin POSTs that are reads in effect: a live-status ticket (an editor whose socket keeps
# dropping asks again and again) and the preview compute. They must not eat the save budget.
# Exempt by route (method and whole path), never by a path's ending.
_ADMIN_POSTS_THAT_STORE_NOTHING = re.compile(rf"^{ADMIN_PREFIX}/tests/{_TEST}/(ws-ticket|compute)$")
_PUBLIC_COMPUTE = re.compile(rf"^/api/tests/{_TEST}/compute$")


@dataclass(frozen=True)
class RateRule:
    """``limit`` requests per ``period`` seconds per key, on the binding named ``binding``."""

    binding: str
    limit: int
    period: Literal[10, 60]  # the only periods the Workers binding offers
    keyed_by: Literal["identity", "client_ip"]
    describe: str


ADMIN_WRITES = RateRule("ADMIN_WRITES", 60, 60, "identity", "admin writes per editor")
PUBLIC_WRITES = RateRule("PUBLIC_WRITES", 30, 10, "client_ip", "anonymous writes per client IP")
# Play events (POST /api/events): a player sends a beacon per question at most, 20 events each;
# 60 requests per 10 s is far above any real tab and stops a script flooding the queue.
PLAY_EVENTS = RateRule("PLAY_EVENTS", 60, 10, "client_ip", "play events per client IP")
RULES = (ADMIN_WRITES, PUBLIC_WRITES, PLAY_EVENTS)


def rule_for(method: str, path: str) -> RateRule | None:
    """The rule a request counts against, if any (reads are never limited)."""
    method = method.upper()
    if method not in _WRITES:
        return None
    if path.startswith(f"{ADMIN_PREFIX}/"):
        exempt = method == "POST" and _ADMIN_POSTS_THAT_STORE_NOTHING.match(path)
        return None if exempt else ADMIN_WRITES
    if method == "POST" and _PUBLIC_COMPUTE.match(path):
        return PUBLIC_WRITES
    if path == EVENTS_PATH:
        return PLAY_EVENTS
    return None


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme in any case, spaces
    around the token ignored), or None for any other header."""
    parts = authorization.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1].strip()


def limit_key(rule: RateRule, client: str | None, credential: str | None) -> str:
    """Who a request is: for identity rules the parsed credential (the Access editor, else the
    bearer token; hashed, never the secret itself), for client rules the client address the
    platform vouches for (``CF-Connecting-IP`` on Cloudflare, the socket's peer locally: never
    a header a client can write)."""
    if rule.keyed_by == "identity":
        return "id:" + hashlib.sha256((credential or "").encode()).hexdigest()[:24]
    return "ip:" + (client or "unknown")
