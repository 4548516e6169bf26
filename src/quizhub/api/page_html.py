"""The public pages as HTML: a test's page and a result's page (meta tags, Open Graph, the
first view rendered on the server, then the player), and the 404 page.

Escaping: every value that reaches the markup goes through ``_e`` (the standard library's
``html.escape`` with ``quote=True``: ``& < > " '``), in text and in double-quoted attributes
alike; no template library is a dependency of the Workers, and the markup here is small enough
that one audited helper is simpler than one. The page data for the player is JSON inside a
``<script type="application/json">`` element (never executed), with ``<``, ``>``, ``&`` and the
JavaScript line separators escaped as ``\\uXXXX``, so no value can close the element.
"""

from __future__ import annotations

import html
import json
from typing import Any

from quizhub.bindings import Settings
from quizhub.domain.cards import CARD_HEIGHT, CARD_WIDTH
from quizhub.domain.images import VARIANT_WIDTHS
from quizhub.edge.cdn import card_path, image_path, result_page_path, test_page_path
from quizhub.reads.pages import Page

__all__ = [
    "BASE_CSP",
    "KAKAO_SDK",
    "KAKAO_CSP",
    "OG_LOCALES",
    "DEFAULT_CARD",
    "page_csp",
    "render_page",
    "render_not_found",
]

SITE = "quizhub"
# The site's policy (public/_headers, "/*"; a test checks they agree), as directives.
BASE_CSP: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "blob:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
# Kakao's JavaScript SDK, pinned with its Subresource Integrity value (Kakao's download page).
KAKAO_SDK = (
    "https://t1.kakaocdn.net/kakao_js_sdk/2.7.4/kakao.min.js",
    "sha384-DKYJZ8NLiK8MN4/C5P2dtSmLQ4KwPaoqAfyA/DfmEc1VDxu4yyC7wy6K1Hs90nka",
)
# What the page's policy gains when KAKAO_JS_KEY is set, and only then: the SDK's script, the
# Kakao API it calls, and the share dialog's frame (docs/sharing.md#kakaotalk).
KAKAO_CSP: dict[str, tuple[str, ...]] = {
    "script-src": ("https://t1.kakaocdn.net",),
    "connect-src": ("https://kapi.kakao.com",),
    "frame-src": ("https://sharer.kakao.com",),
}
OG_LOCALES = {"ko": "ko_KR", "en": "en_US", "ja": "ja_JP"}
# The card of a page whose own card is not drawn yet (a static asset of the same size).
DEFAULT_CARD = "/assets/og-default.png"
# "비슷한 테스트" keeps room for this many tests from the first paint (public/assets/test.js
# SIMILAR_COUNT; a test checks they agree), and the player's test panel is drawn this wide.
SIMILAR_SLOTS = 4
PANEL_SIZES = "(max-width: 680px) 92vw, 600px"
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"


def _e(value: object) -> str:
    """Text or a double-quoted attribute value, escaped."""
    return html.escape(str(value), quote=True)


def _json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text)


def page_csp(*, kakao: bool) -> str:
    """The pages' Content-Security-Policy: the site's, widened for Kakao only when it is on."""
    directives = {name: list(sources) for name, sources in BASE_CSP.items()}
    if kakao:
        for name, sources in KAKAO_CSP.items():
            directives.setdefault(name, []).extend(sources)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def render_page(page: Page, settings: Settings) -> bytes:
    """The HTML of ``page``: head (title, description, canonical, Open Graph, Twitter), the
    first view, the player's data and scripts."""
    b, r = page.bundle, page.result
    origin = settings.public_origin.rstrip("/")
    path = test_page_path(b.test_id) if r is None else result_page_path(b.test_id, r.id)
    title = b.title if r is None else f"{r.title} · {b.title}"
    card = card_path(page.card) if page.card else DEFAULT_CARD
    cards = b.cards
    data = {
        "testId": b.test_id,
        "resultId": None if r is None else r.id,
        "rev": b.rev,
        "cards": {
            "test": f"{origin}{card_path(cards.test)}" if cards and cards.test else None,
            "results": {
                rid: f"{origin}{card_path(h)}"
                for rid, h in (cards.results if cards else {}).items()
            },
        },
        "kakaoKey": settings.kakao_js_key or None,
    }
    meta = [
        ("name", "description", page.description),
        ("property", "og:type", "website"),
        ("property", "og:site_name", SITE),
        ("property", "og:title", title),
        ("property", "og:description", page.description),
        ("property", "og:url", f"{origin}{path}"),
        ("property", "og:locale", OG_LOCALES.get(b.locale, "ko_KR")),
        ("property", "og:image", f"{origin}{card}"),
        ("property", "og:image:width", CARD_WIDTH),
        ("property", "og:image:height", CARD_HEIGHT),
        ("property", "og:image:alt", title),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", page.description),
        ("name", "twitter:image", f"{origin}{card}"),
    ]
    head = "\n  ".join(
        f'<meta {kind}="{_e(name)}" content="{_e(value)}">' for kind, name, value in meta
    )
    kakao = ""
    if settings.kakao_js_key:
        src, integrity = KAKAO_SDK
        kakao = (
            f'\n  <script src="{_e(src)}" integrity="{_e(integrity)}" crossorigin="anonymous"'
            " defer></script>"
        )
    return _document(
        lang=b.locale,
        title=f"{title} · {SITE}",
        head=(
            f'{head}\n  <link rel="canonical" href="{_e(origin + path)}">'
            f'\n  <script type="application/json" id="page-data">{_json(data)}</script>'
            f'{kakao}\n  <script type="module" src="/assets/test.js"></script>'
        ),
        main=_first_view(page, settings),
    )


def _first_view(page: Page, settings: Settings) -> str:
    """The view the player shows first, rendered here too, in the player's markup: readers
    without JavaScript and crawlers see it, and the player's first render replaces it with the
    same layout (nothing moves)."""
    b, r = page.bundle, page.result
    start = f'<a class="btn btn-primary" href="{_e(test_page_path(b.test_id))}">'
    if r is None:
        cover = _image(b.thumbnail, "cover", "")
        lead = f'\n          <p class="lead">{_e(b.description)}</p>' if b.description else ""
        panel = f"""<section class="panel" aria-labelledby="test-title">
          {cover}<h1 id="test-title">{_e(b.title)}</h1>{lead}
          <p class="hint">총 {b.question_count}문항</p>
          <div class="actions">
            {start}테스트 시작하기</a>
          </div>
        </section>"""
    else:
        first = _e((r.title or "?")[0])
        picture = _image(r.image, "result-image", r.title) or (
            f'<div class="result-badge" aria-hidden="true">{first}</div>'
        )
        desc = (
            f'\n          <p class="result-desc">{_e(r.description)}</p>' if r.description else ""
        )
        kakao = (
            '\n            <button class="btn btn-kakao" type="button">카카오톡 공유</button>'
            if settings.kakao_js_key
            else ""
        )
        card = b.cards.results.get(r.id) if b.cards else None
        save = (
            f'\n            <a class="btn" href="{_e(card_path(card))}" '
            f'download="{_e(f"{b.test_id}-{r.id}.png")}">결과 이미지 저장</a>'
            if card
            else ""
        )
        panel = f"""<section class="panel result" aria-labelledby="result-title">
          <p class="result-kicker">{_e(b.title)} · 결과</p>
          {picture}
          <h1 id="result-title" class="result-title">{_e(r.title)}</h1>{desc}
          <div class="actions">
            {start}나도 해보기</a>
            <button class="btn" type="button">공유하기</button>{kakao}{save}
            <a class="btn" href="/">다른 테스트 보기</a>
          </div>
          <p class="hint" role="status"></p>
        </section>"""
    slots = "".join(
        '\n            <li class="similar-placeholder" aria-hidden="true"></li>'
        for _ in range(SIMILAR_SLOTS)
    )
    return f"""<div class="player">
      <div id="view" tabindex="-1">
        {panel}
        <section class="similar" aria-labelledby="similar-title">
          <h2 id="similar-title">비슷한 테스트</h2>
          <ul class="similar-list" aria-label="비슷한 테스트 목록" aria-busy="true">{slots}
          </ul>
        </section>
      </div>
    </div>"""


def _image(key: str | None, css_class: str, alt: str) -> str:
    """A stored image as the player's ``responsiveImg`` draws it (public/assets/dom.js)."""
    if key is None:
        return ""
    base = image_path(key)
    srcset = ", ".join(f"{base}?w={w} {w}w" for w in VARIANT_WIDTHS)
    return (
        f'<img class="{css_class}" alt="{_e(alt)}" src="{_e(base)}?w=640" '
        f'srcset="{_e(srcset)}" sizes="{_e(PANEL_SIZES)}">\n          '
    )


def render_not_found(message: str) -> bytes:
    """The 404 page (status 404, not indexed)."""
    main = f"""<div class="player">
      <section class="panel">
        <h1>테스트를 찾을 수 없어요</h1>
        <p class="lead">{_e(message)}</p>
        <div class="actions">
          <a class="btn btn-primary" href="/">테스트 목록으로</a>
        </div>
      </section>
    </div>"""
    head = '<meta name="robots" content="noindex">'
    return _document(lang="ko", title=f"찾을 수 없어요 · {SITE}", head=head, main=main)


def _document(*, lang: str, title: str, head: str, main: str) -> bytes:
    return f"""<!doctype html>
<html lang="{_e(lang)}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_e(title)}</title>
  {head}
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/assets/site.css">
  <link rel="stylesheet" href="/assets/public.css">
</head>
<body>
  <a class="skip-link" href="#main">본문으로 건너뛰기</a>
  <header class="site-header">
    <div class="inner">
      <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">Q</span>quizhub</a>
      <span class="spacer"></span>
      <a class="btn btn-small btn-ghost" href="/">전체 테스트</a>
    </div>
  </header>
  <main id="main">
    {main}
  </main>
  <footer class="site-footer">quizhub · 재미로 보는 심리테스트</footer>
</body>
</html>
""".encode()
