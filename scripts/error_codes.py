"""Write the list of machine codes in docs/api.md from their one definition,
``quizhub.errors.codes`` (between the two marker comments; nothing else in the page changes).

    python scripts/error_codes.py           # rewrite the list
    python scripts/error_codes.py --check   # exit 1 when the page's list is not the registry's

tests/docs/test_error_codes.py runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from quizhub.errors.codes import AREAS, Code  # noqa: E402

PAGE = ROOT / "docs" / "api.md"
BEGIN = "<!-- error codes: written by scripts/error_codes.py from quizhub.errors.codes -->"
END = "<!-- end of error codes -->"

_HEADINGS = {
    "front door": "The front door",
    "api": "API errors",
    "field": "Field errors (a 422's details)",
    "job": "Job outcomes and warnings",
    "failure": "Failures",
}


def _params(code: Code) -> str:
    # A table cell cannot hold a bare "|": "string|null" reads "string or null".
    shown = {name: kind.replace("|", " or ") for name, kind in code.params.items()}
    return ", ".join(f"`{name}` ({kind})" for name, kind in shown.items()) or "—"


def render() -> str:
    """The list, every code once, grouped by where it travels, in the registry's order."""
    lines = [BEGIN]
    for area in AREAS:
        lines += ["", f"### {_HEADINGS[area]}", ""]
        lines += ["| code | status | params | when |", "|---|---|---|---|"]
        for code in (c for c in Code if c.area == area):
            status = "—" if code.status is None else str(code.status)
            lines.append(f"| `{code.value}` | {status} | {_params(code)} | {code.doc} |")
    return "\n".join([*lines, "", END])


def current(page: str) -> str:
    """The list as the page has it now (from one marker to the other)."""
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page[start:end]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if stale")
    args = parser.parse_args()
    page = PAGE.read_text(encoding="utf-8")
    fresh = render()
    if args.check:
        if current(page) != fresh:
            print("docs/api.md: the error codes are stale; run python scripts/error_codes.py")
            return 1
        return 0
    PAGE.write_text(page.replace(current(page), fresh), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
