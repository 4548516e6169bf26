"""The public site's events module agrees with the API (the limits and types are written in
quizhub.analytics.events; the browser copy is checked against them, never trusted)."""

from __future__ import annotations

import json
import re

from quizhub.analytics.events import EVENT_TYPES, MAX_EVENTS_PER_REQUEST
from quizhub.analytics.plausible import REJECT_REASONS
from quizhub.edge.ratelimits import EVENTS_PATH
from tests.conftest import ROOT

SOURCE = (ROOT / "public" / "assets" / "events.js").read_text(encoding="utf-8")


def test_the_page_sends_at_most_as_many_events_as_the_api_takes() -> None:
    """MAX_EVENTS in events.js = MAX_EVENTS_PER_REQUEST."""
    found = re.search(r"export const MAX_EVENTS = (\d+);", SOURCE)
    assert found is not None and int(found.group(1)) == MAX_EVENTS_PER_REQUEST


def test_the_page_knows_exactly_the_event_types_and_the_endpoint() -> None:
    """EVENT_TYPES in events.js = the API's, in order; it posts to EVENTS_PATH."""
    found = re.search(r"export const EVENT_TYPES = (\[[^\]]*\]);", SOURCE)
    assert found is not None and json.loads(found.group(1)) == list(EVENT_TYPES)
    assert f'const ENDPOINT = "{EVENTS_PATH}";' in SOURCE


def test_the_page_keeps_nothing_about_the_person() -> None:
    """No cookies, no user agent, no storage that outlives the tab."""
    for forbidden in ("document.cookie", "userAgent", "localStorage"):
        assert forbidden not in SOURCE, forbidden
    assert 'credentials: "omit"' in SOURCE


def test_the_admin_names_every_reason_an_event_is_not_counted() -> None:
    """REJECTED_KO in the admin's statsview.js has a label for each REJECT_REASONS, no more."""
    source = (ROOT / "public" / "admin" / "statsview.js").read_text(encoding="utf-8")
    block = re.search(r"const REJECTED_KO = \{(.*?)\};", source, re.S)
    assert block is not None
    labelled = re.findall(r"^\s*(\w+): \"", block.group(1), re.M)
    assert labelled == list(REJECT_REASONS)
