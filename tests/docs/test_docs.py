"""The documentation's own rules: a small README, every pointer into docs/ resolving to a page
and a heading, no pointer to a document outside the repository, and measured tables that come
from their tools (with provenance) and are shown by a page."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README_LIMIT = 16 * 1024
# Where the repository's own text lives (not dependencies, caches, build output or data).
SOURCES = [
    "README.md",
    "Makefile",
    "pyproject.toml",
    "wrangler.toml",
    "wrangler.consumer.toml",
    "tsconfig.json",
    "eslint.config.js",
    ".ci",
    "src",
    "tests",
    "migrations",
    "analytics",
    "public",
    "reliability",
    "benchmarks",
    "scripts",
    "search_eval",
    "typings",
    "docs",
]
SKIP_DIRS = {"_build", "vendor", ".wheels", "__pycache__", "node_modules", ".artifacts"}
TEXT_SUFFIXES = {".py", ".md", ".sql", ".js", ".mjs", ".css", ".html", ".toml", ".pyi", ".sh", ""}
# Pointers at design documents kept outside the repository (built from parts, so that this file
# does not match itself).
OUTSIDE = re.compile(
    "|".join(
        [
            "DESIGN" + r" §",
            "DESIGN" + r"\.md",
            "shared" + "/reference",
            r"\.\./" + "shared",
            "reference" + r"/[\w-]+\.md",
            "reference" + " §",
        ]
    )
)
POINTER = re.compile(r"docs/([a-z0-9-]+)\.md(?:#([A-Za-z0-9_-]+))?")
INCLUDE = re.compile(r"^```\{include\} (\S+)$", re.MULTILINE)


def _texts() -> list[Path]:
    out: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            out.append(path)
            continue
        for f in sorted(path.rglob("*")):
            wanted = f.suffix in TEXT_SUFFIXES or f.name == "run"
            if wanted and f.is_file() and not SKIP_DIRS & set(f.relative_to(ROOT).parts):
                out.append(f)
    return out


def slug(heading: str) -> str:
    """The anchor MyST gives a heading (``myst_heading_anchors``): GitHub's rule."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = text.replace("`", "").strip().lower().replace(" ", "-")
    return re.sub(r"[^\w\-]", "", text)


def anchors(page: Path) -> set[str]:
    """Anchors of the page's headings down to ``###`` (outside code blocks)."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {slug(m[1]) for m in re.finditer(r"^#{1,3} (.+)$", text, re.M)}


def test_the_readme_is_a_small_front_door() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    size = len(readme.encode("utf-8"))
    assert size <= README_LIMIT, f"README.md is {size:,} bytes; the limit is {README_LIMIT:,}"
    assert "make dev" in readme and "make test" in readme


def test_nothing_points_at_documents_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _texts()
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == [], "\n".join(found)


def test_every_pointer_into_docs_names_a_page_and_a_heading_it_has() -> None:
    """``docs/architecture.md#step-order`` in a comment must keep pointing somewhere."""
    broken = []
    for path in _texts():
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in POINTER.finditer(text):
            page = DOCS / f"{m[1]}.md"
            where = f"{path.relative_to(ROOT)}: {m[0]}"
            if m[1] == "measured" or (DOCS / "measured" / f"{m[1]}.md").exists():
                continue
            if not page.is_file():
                broken.append(f"{where} (no such page)")
            elif m[2] and m[2] not in anchors(page):
                broken.append(f"{where} (no such heading)")
    assert broken == [], "\n".join(broken)


def test_every_measured_table_has_provenance_and_is_shown_by_a_page() -> None:
    measured = sorted((DOCS / "measured").glob("*.md"))
    assert measured, "docs/measured/ holds the tables the tools write"
    included: set[str] = set()
    for page in DOCS.glob("*.md"):
        for target in INCLUDE.findall(page.read_text(encoding="utf-8")):
            assert (DOCS / target).is_file(), f"{page.name} includes {target}, which is missing"
            included.add(target)
    for path in measured:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        assert lines[0].startswith("<!-- Written by `"), path.name
        assert lines[2].startswith(("*Measured on ", "*Carried over ")), path.name
        assert "\n| " in text, f"{path.name} holds no table"
    # The Workers AI runs of make eval-search are not shown until someone makes one.
    shown = {p for p in measured if not p.stem.endswith("-workers-ai")}
    assert {f"measured/{p.name}" for p in shown} <= included


def test_no_page_takes_a_name_sphinx_builds_itself() -> None:
    """``search.html`` and ``genindex.html`` are Sphinx's own pages: a page of that name would be
    replaced by them."""
    assert not {"search", "genindex", "py-modindex"} & {p.stem for p in DOCS.glob("*.md")}
