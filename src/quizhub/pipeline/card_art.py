"""Drawing a preview card with Pillow: 1200 × 630, the text in white over the card's image
(darkened) or a two-colour gradient, in the subset of Noto Sans CJK KR Bold shipped beside this
module (``card_font/``, SIL OFL 1.1; ``scripts/card_font.py`` makes it).

Pillow is a Pyodide package, so the consumer Worker draws with the same code as CPython (the
Images binding's ``draw`` only overlays images and cannot set text). Pillow is imported inside
the functions: a Worker's start must stay within its 1 s (docs/architecture.md#platform-rules).
A change to what this draws must bump ``quizhub.domain.cards.ART_VERSION``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizhub.domain.cards import CARD_HEIGHT, CARD_WIDTH, CardText

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageFont

__all__ = ["FONT_FILE", "draw_card", "open_background", "can_draw"]

FONT_FILE = Path(__file__).with_name("card_font") / "NotoSansCJKkr-Bold-subset.otf"
_PAD = 72
_TEXT_WIDTH = CARD_WIDTH - 2 * _PAD
_WHITE = (255, 255, 255)
_SOFT = (236, 233, 255)
_SHADE = 0.58  # how far an image is darkened under the text (white text stays readable)
# A card over an image is stored as a 256-colour PNG (quantised after the text is drawn): a fifth
# of the bytes of a true-colour one, and encoded four times faster (make bench). A gradient card
# stays true-colour: quantised, its gradient would show bands, and it compresses well as it is.
_COLOURS = 256
_PNG_LEVEL = 3  # zlib level: 6 (the default) saves ~5 % of the bytes for 4× the CPU
_TITLE_SIZES = (76, 66, 56)  # the largest at which the title fits in two lines wins


def can_draw() -> str | None:
    """None when cards can be drawn here, else why not (Pillow is not importable, or the font
    is not beside this module): a runtime that lacks them cannot draw any card, however often
    it tries. Checked without importing Pillow."""
    from importlib.util import find_spec

    if find_spec("PIL") is None:
        return "Pillow is not importable in this runtime"
    if not FONT_FILE.is_file():
        return f"the card font {FONT_FILE.name} is not beside quizhub.pipeline.card_art"
    return None


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_FILE), size)


def open_background(data: bytes) -> PILImage.Image:
    """A stored variant's bytes (upright, without metadata: the image job made it so) as the
    card's background: cropped to fill 1200 × 630 and darkened. Under the text a background
    is only a mood, so a JPEG is decoded at half the card's size (libjpeg scales while it
    decodes: a quarter of the pixels, of the memory and of the time) and scaled up."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as source:
        source.draft("RGB", (CARD_WIDTH // 2, CARD_HEIGHT // 2))
        image = source.convert("RGB")
    fitted = ImageOps.fit(image, (CARD_WIDTH, CARD_HEIGHT), Image.Resampling.BILINEAR)
    black = Image.new("RGB", fitted.size, (12, 10, 24))
    return Image.blend(fitted, black, _SHADE)


def _gradient(seed: str) -> PILImage.Image:
    from PIL import Image, ImageOps

    hue = _hue(seed)
    ramp = Image.linear_gradient("L").rotate(-35, expand=False).resize((CARD_WIDTH, CARD_HEIGHT))
    start, end = _hsl(hue, 0.62, 0.40), _hsl((hue + 50) % 360, 0.70, 0.30)
    return ImageOps.colorize(ramp, start, end).convert("RGB")


def draw_card(text: CardText, background: PILImage.Image | None = None) -> bytes:
    """The card as PNG bytes. ``background`` comes from ``open_background`` (None: the
    gradient of ``text.seed``); it is not modified, so one can serve many cards."""
    from PIL import Image, ImageDraw

    canvas = background.copy() if background is not None else _gradient(text.seed)
    draw = ImageDraw.Draw(canvas)
    kicker = _font(34)
    draw.text(
        (_PAD, _PAD), _fit_line(text.kicker, kicker, draw.textlength), font=kicker, fill=_SOFT
    )
    title_font, title_lines = _title(text.title, draw.textlength)
    y = _PAD + 34 + 48
    for line in title_lines:
        draw.text((_PAD, y), line, font=title_font, fill=_WHITE)
        y += int(title_font.size * 1.28)
    body = _font(36)
    for line in _wrap(text.line, body, draw.textlength, 2):
        draw.text((_PAD, y + 20), line, font=body, fill=_SOFT)
        y += int(36 * 1.45)
    brand = _font(32)
    draw.text((_PAD, CARD_HEIGHT - _PAD - 32), "quizhub", font=brand, fill=_WHITE)
    cta = "나도 해보기 →" if text.kind == "result" else "테스트 하러 가기 →"
    width = draw.textlength(cta, font=brand)
    draw.text((CARD_WIDTH - _PAD - width, CARD_HEIGHT - _PAD - 32), cta, font=brand, fill=_SOFT)
    out = io.BytesIO()
    if background is not None:
        canvas = canvas.quantize(_COLOURS, method=Image.Quantize.FASTOCTREE)
    canvas.save(out, "PNG", compress_level=_PNG_LEVEL)
    return out.getvalue()


Measure = Callable[..., float]


def _title(title: str, measure: Measure) -> tuple[Any, list[str]]:
    for size in _TITLE_SIZES:
        font = _font(size)
        lines = _wrap(title, font, measure, 2)
        if not lines[-1].endswith("…") or size == _TITLE_SIZES[-1]:
            return font, lines
    raise AssertionError("unreachable")  # the last size always returns


def _wrap(text: str, font: Any, measure: Measure, max_lines: int) -> list[str]:
    """Greedy lines at most ``_TEXT_WIDTH`` wide, breaking at spaces (inside a word only when
    the word alone is too wide, as Korean lines often are); the last line ends in "…" when text
    is left over."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        if measure(rest, font=font) <= _TEXT_WIDTH:
            lines.append(rest)
            rest = ""
            break
        cut = _longest_fit(rest, font, measure)
        space = rest.rfind(" ", 0, cut + 1)
        end = space if space > 0 else cut
        lines.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    if rest and lines:
        lines[-1] = _fit_line(lines[-1] + "…", font, measure)
    return lines or [""]


def _fit_line(line: str, font: Any, measure: Measure) -> str:
    """``line`` cut (ending in "…") to ``_TEXT_WIDTH``."""
    if measure(line, font=font) <= _TEXT_WIDTH:
        return line
    body = line.removesuffix("…")
    while body and measure(body + "…", font=font) > _TEXT_WIDTH:
        body = body[:-1]
    return body.rstrip() + "…"


def _longest_fit(text: str, font: Any, measure: Measure) -> int:
    """The most leading characters of ``text`` that fit in ``_TEXT_WIDTH`` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(text[:mid], font=font) <= _TEXT_WIDTH:
            low = mid
        else:
            high = mid - 1
    return low


def _hue(seed: str) -> int:
    """A stable hue 0..359 (public/assets/dom.js ``hue``, the same formula)."""
    x = 0
    for ch in seed:
        x = (x * 31 + ord(ch)) & 0xFFFFFFFF
    return x % 360


def _hsl(hue: int, saturation: float, lightness: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)
