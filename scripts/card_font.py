# /// script
# requires-python = ">=3.11"
# dependencies = ["fonttools==4.62.1"]
# ///
"""The preview cards' font, reproducibly: a subset of Noto Sans CJK KR Bold (SIL OFL 1.1) from
Debian's ``fonts-noto-cjk`` package, cut to what a card can show.

    .tools/bin/uv run scripts/card_font.py            write the subset and its licence
    .tools/bin/uv run scripts/card_font.py --check    exit 1 unless the committed subset covers
                                                      every code point it should

The source is the package's ``NotoSansCJK-Bold.ttc`` (the Korean face of the collection): the
installed file when ``fonts-noto-cjk`` is installed, else the package fetched with
``apt-get download`` and unpacked with ``dpkg -x`` into a temporary directory. The subset keeps
every one of the 11,172 Hangul syllables, the Hangul compatibility jamo, Latin-1, general
punctuation, CJK symbols and punctuation, kana, and the full-width forms; hinting is dropped (the
card is drawn at sizes where hinting does nothing useful). fontTools is needed only here, by this
script (uv installs it for the run): the subset is committed, so nothing builds it at install.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "quizhub" / "pipeline" / "card_font"
FONT_OUT = OUT_DIR / "NotoSansCJKkr-Bold-subset.otf"
LICENCE_OUT = OUT_DIR / "LICENSE-OFL.txt"
PACKAGE = "fonts-noto-cjk"
TTC = "usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
FAMILY = "Noto Sans CJK KR"

# (first, last) code points kept. Hangul syllables are U+AC00..U+D7A3: 11,172 of them.
RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2010, 0x205E),  # General Punctuation (dashes, quotes, ellipsis, …)
    (0x20A9, 0x20A9),  # ₩
    (0x2190, 0x2193),  # arrows
    (0x2460, 0x2473),  # circled numbers
    (0x25A0, 0x25CF),  # geometric shapes (■ □ ▲ ○ ●)
    (0x2605, 0x2606),  # ★ ☆
    (0x2661, 0x2665),  # ♡ ♥
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana
    (0x3131, 0x318E),  # Hangul Compatibility Jamo (ㅋㅋ, ㅠㅠ)
    (0xAC00, 0xD7A3),  # Hangul Syllables
    (0xFF01, 0xFF5E),  # Fullwidth forms
]
HANGUL_SYLLABLES = 11_172


def code_points() -> list[int]:
    """Every code point the subset keeps."""
    return [cp for first, last in RANGES for cp in range(first, last + 1)]


def _source(workdir: Path) -> Path:
    """The Debian package's tree: the installed files, or the package unpacked in ``workdir``."""
    if (Path("/") / TTC).exists() and (Path("/") / COPYRIGHT).exists():
        return Path("/")
    subprocess.run(["apt-get", "download", PACKAGE], cwd=workdir, check=True)
    [deb] = workdir.glob(f"{PACKAGE}_*.deb")
    tree = workdir / "tree"
    subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
    return tree


def _korean_face(ttc: Path) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == FAMILY:
            return number
    raise SystemExit(f"{ttc} has no face named {FAMILY!r}")


def write() -> None:
    from fontTools import subset

    with tempfile.TemporaryDirectory() as tmp:
        tree = _source(Path(tmp))
        ttc = tree / TTC
        options = subset.Options()
        options.font_number = _korean_face(ttc)
        options.hinting = False
        options.desubroutinize = False
        options.name_IDs = ["*"]  # keep the copyright and licence records
        options.layout_features = ["kern", "palt", "liga"]
        font = subset.load_font(str(ttc), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=code_points())
        subsetter.subset(font)
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        subset.save_font(font, str(FONT_OUT), options)
        shutil.copyfile(tree / COPYRIGHT, LICENCE_OUT)
    print(f"wrote {FONT_OUT.relative_to(ROOT)} ({FONT_OUT.stat().st_size:,} bytes)")
    check()


def check() -> None:
    """The committed subset maps every Hangul syllable (and every kept code point it can)."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(FONT_OUT))["cmap"].getBestCmap()
    hangul = [cp for cp in range(0xAC00, 0xD7A4) if cp in cmap]
    if len(hangul) != HANGUL_SYLLABLES:
        sys.exit(f"{FONT_OUT.name} maps {len(hangul)} Hangul syllables, not {HANGUL_SYLLABLES}")
    print(f"{FONT_OUT.name}: {len(cmap):,} code points, all {HANGUL_SYLLABLES:,} Hangul syllables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the committed subset")
    args = parser.parse_args()
    check() if args.check else write()


if __name__ == "__main__":
    main()
