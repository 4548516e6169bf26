"""Consumer settings come from wrangler's TOML, with production defaults for missing keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.local.queues import ConsumerSettings, load_consumer_settings, parse_consumer_settings

from .conftest import REPO

SAMPLE = """
[[queues.consumers]]
queue = "quizhub-save"
max_batch_size = 10
max_batch_timeout = 1
max_retries = 5
retry_delay = 2
dead_letter_queue = "quizhub-save-dlq"

[[queues.consumers]]
queue = "quizhub-save-dlq"
max_batch_size = 10
max_batch_timeout = 1
"""


def test_consumer_settings_are_read_from_wrangler_toml(tmp_path: Path) -> None:
    """Each [[queues.consumers]] entry becomes settings keyed by queue name."""
    path = tmp_path / "wrangler.consumer.toml"
    path.write_text(SAMPLE)
    settings = load_consumer_settings(path)
    assert settings["quizhub-save"] == ConsumerSettings(10, 1, 5, 2, "quizhub-save-dlq")
    assert settings["quizhub-save"].max_attempts == 6
    assert settings["quizhub-save-dlq"] == ConsumerSettings(10, 1, 3, 0, None)


def test_missing_keys_take_production_defaults() -> None:
    """Defaults are Cloudflare's (10 messages, 5 s, 3 retries), not Miniflare's."""
    settings = parse_consumer_settings({"queues": {"consumers": [{"queue": "q"}]}})
    assert settings == {"q": ConsumerSettings(10, 5, 3, 0, None)}
    assert parse_consumer_settings({}) == {}


def test_repo_consumer_config_parses() -> None:
    """The real wrangler.consumer.toml yields settings for the save queue and its DLQ."""
    settings = load_consumer_settings(REPO / "wrangler.consumer.toml")
    save = settings["quizhub-save"]
    assert save.dead_letter_queue in settings


@pytest.mark.parametrize(
    "entry",
    [
        {"queue": "q", "max_batch_size": 0},
        {"queue": "q", "max_batch_size": 101},
        {"queue": "q", "max_batch_timeout": 61},
        {"queue": "q", "max_retries": 101},
        {"queue": "q", "retry_delay": -1},
        {"queue": "q", "dead_letter_queue": "q"},
        {"max_retries": 1},
    ],
)
def test_invalid_consumer_settings_are_refused(entry: dict[str, object]) -> None:
    """Out-of-range values, a self-DLQ and a nameless consumer fail loudly."""
    with pytest.raises(ValueError):
        parse_consumer_settings({"queues": {"consumers": [entry]}})
