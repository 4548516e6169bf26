"""Rate limits, written once: which requests count, against which binding, keyed by what.

On Cloudflare each rule is a Workers Rate Limiting binding (``[[ratelimits]]`` in wrangler.toml,
whose ``limit``/``period`` must equal the rule's; tests/deploy checks it): it counts per
location and answers only allowed or not, so ``Retry-After`` is the rule's period. Locally
``quizhub.local.ratelimit.LocalRateLimiter`` counts the same windows on the platform clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from quizhub.analytics.events import EVENTS_PATH

__all__ = ["ADMIN_PREFIX", "RateRule", "RULES", "PLAY_EVENTS", "rule_for", "limit_key"]

# Where the admin API lives (its router, the guard's credentials check and these rules).
ADMIN_PREFIX = "/api/admin"

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Admin POSTs that are reads in effect: a live-status ticket (an editor whose socket keeps
# dropping asks again and again) and the preview compute. They must not eat the save budget.
_ADMIN_POSTS_THAT_STORE_NOTHING = ("/ws-ticket", "/compute")


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
    if method.upper() not in _WRITES:
        return None
    if path.startswith(f"{ADMIN_PREFIX}/"):
        return None if path.endswith(_ADMIN_POSTS_THAT_STORE_NOTHING) else ADMIN_WRITES
    if path.startswith("/api/tests/") and path.endswith("/compute"):
        return PUBLIC_WRITES
    if path == EVENTS_PATH:
        return PLAY_EVENTS
    return None


def limit_key(
    rule: RateRule, headers: Mapping[str, str], client: str | None, editor: str | None = None
) -> str:
    """Who a request is: the Access editor, or a hash of the credentials (never the secret
    itself), or the client IP (``CF-Connecting-IP`` on Cloudflare, the socket's peer locally)."""
    if rule.keyed_by == "identity":
        who = editor or headers.get("authorization", "")
        return "id:" + hashlib.sha256(who.encode()).hexdigest()[:24]
    return "ip:" + (headers.get("cf-connecting-ip") or client or "unknown")
