"""What the Korean-wording browser tests share (``test_admin_korean*.py``): the scanner of an
admin page's interface text for Latin-script sentences (``tests/admin/_wording``), leaving the
editor's own content out, and the ways to put the editor in states the dev server cannot reach
by itself (the API's real answers, made in-process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route

from quizhub.edge.ratelimits import ADMIN_WRITES
from tests.admin._wording import latin_sentences
from tests.api.conftest import AUTH, make_api
from tests.browser._pages import open_test, sign_in
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, http
from tests.conftest import sample_doc
from tests.fakes import FakeClock

__all__ = ["Scanner", "open_editor", "answered_in_process", "answer_saves_with"]


# Every piece of interface text on the page now: visible text (text nodes of visible elements,
# SVG labels included, and the rendered text of the body), the names and hints of visible
# elements, and the title.
_INTERFACE_TEXT = """() => {
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
  const texts = [document.title, document.body.innerText];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest("script, style, noscript, template") && shown(el)) texts.push(n.data);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt", "aria-description"]) {
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class Scanner:
    """Scans pages for English sentences, leaving out the tests' own content (every string of
    every stored document and the job authors: an editor may write in any language)."""

    def __init__(self, api: AdminApi) -> None:
        self.api = api
        self.dialogs: list[str] = []

    def watch(self, page: Page) -> Page:
        """Record (and accept) every dialog ``page`` opens: its text is interface too."""

        def answer(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", answer)
        return page

    def content(self) -> list[str]:
        """The content strings that would read as sentences, longest first."""
        _, listing = http("GET", f"{self.api.base}/api/admin/tests", token=ADMIN_TOKEN)
        found: set[str] = set()
        for item in listing["items"]:
            found |= set(_strings(self.api.get(item["id"])))
            found |= set(_strings(item))
        return sorted((s for s in found if latin_sentences(s)), key=len, reverse=True)

    def assert_korean(self, page: Page, view: str) -> None:
        """No Latin-script sentence in ``page``'s interface (nor in the dialogs so far)."""
        content = self.content()
        english = []
        for text in [*page.evaluate(_INTERFACE_TEXT), *self.dialogs]:
            for piece in content:
                text = text.replace(piece, " ")
            english += latin_sentences(text)
        assert english == [], f"{view}: {english}"


def open_editor(new_page: Any, scan: Scanner, test_id: str) -> Page:
    page = scan.watch(new_page())
    sign_in(page)
    open_test(page, test_id)
    return page


def answered_in_process(tmp_path: Path, **options: Any) -> Any:
    """The API's own answer to a save in a state the dev server cannot be put in: a rate limit
    reached (``limited``) or a queue that fails (``wrap``)."""
    limited = options.pop("limited", False)
    api = make_api(tmp_path, FakeClock(), **options)
    try:
        doc = sample_doc()
        for i in range(ADMIN_WRITES.limit if limited else 0):
            api.client.put(f"/api/admin/tests/fill-{i}", json=doc, headers=AUTH)
        return api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    finally:
        api.platform.close()


def answer_saves_with(page: Page, test_id: str, response: Any) -> None:
    """Every PUT of ``test_id`` answered with ``response`` (the API's, made in-process)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}

    def answer(route: Route) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        route.fulfill(status=response.status_code, headers=headers, body=response.content)

    page.route(f"**/api/admin/tests/{test_id}", answer)
