"""Queue consumer settings, read from the wrangler config (the one source of truth).

Only ``[[queues.consumers]]`` matters here; missing keys take Cloudflare's production defaults
(not Miniflare's, which uses a batch of 5, a 1 s timeout and 2 retries).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ConsumerSettings", "load_consumer_settings", "parse_consumer_settings"]


@dataclass(frozen=True)
class ConsumerSettings:
    """One ``[[queues.consumers]]`` entry (times in seconds, as in wrangler)."""

    max_batch_size: int = 10
    max_batch_timeout: float = 5
    max_retries: int = 3
    retry_delay: float = 0
    dead_letter_queue: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_batch_size <= 100:
            raise ValueError("max_batch_size must be 1..100")
        if not 0 <= self.max_batch_timeout <= 60:
            raise ValueError("max_batch_timeout must be 0..60 seconds")
        if not 0 <= self.max_retries <= 100:
            raise ValueError("max_retries must be 0..100")
        if self.retry_delay < 0:
            raise ValueError("retry_delay must be >= 0")

    @property
    def max_attempts(self) -> int:
        """Deliveries a message gets before it is dead-lettered or dropped (1 + max_retries)."""
        return 1 + self.max_retries


_FIELDS = ("max_batch_size", "max_batch_timeout", "max_retries", "retry_delay", "dead_letter_queue")


def parse_consumer_settings(config: dict[str, Any]) -> dict[str, ConsumerSettings]:
    """Consumer settings by queue name from a parsed wrangler config."""
    consumers = config.get("queues", {}).get("consumers", [])
    out: dict[str, ConsumerSettings] = {}
    for entry in consumers:
        queue = entry.get("queue")
        if not isinstance(queue, str) or not queue:
            raise ValueError("every [[queues.consumers]] entry needs a queue name")
        settings = ConsumerSettings(**{k: entry[k] for k in _FIELDS if k in entry})
        if settings.dead_letter_queue == queue:
            raise ValueError(f"queue {queue!r} cannot be its own dead letter queue")
        out[queue] = settings
    return out


def load_consumer_settings(path: str | Path) -> dict[str, ConsumerSettings]:
    """Read ``[[queues.consumers]]`` from a wrangler TOML file."""
    with open(path, "rb") as fh:
        return parse_consumer_settings(tomllib.load(fh))
