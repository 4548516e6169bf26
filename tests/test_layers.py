"""The layers of docs/layers.md hold in the code: every import arrow between quizhub's packages
goes where the table allows, and no modules import each other (directly or in a ring).

The table in docs/layers.md is the only statement of the rules; this test parses it. Every
module under src/quizhub and the entry files src/*.py is read with ``ast``: every ``import`` and
``from … import`` anywhere in it counts (function-local ones and ``if TYPE_CHECKING:`` blocks
too), relative imports are resolved, ``from package import name`` is an arrow to the submodule
when ``name`` is one, and ``importlib.import_module("…")`` with a literal name counts as well.
Importing ``a.b.c`` is an arrow to ``a.b.c`` only (not to the packages ``a`` and ``a.b`` Python
initialises on the way): a package that re-exports its own submodules is no cycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TABLE = ROOT / "docs" / "layers.md"
PACKAGE = "quizhub"
ENTRY = "src/*.py"  # the table's row for the entry files


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "quizhub.store.tests" or "api_worker" (an entry file)
    path: str  # relative to the repository, for messages
    source: str
    is_package: bool = False


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module
    target: str  # imported module (resolved to a module that exists)
    path: str
    line: int


# ---------------------------------------------------------------- the table
def parse_rules(text: str) -> dict[str, set[str]]:
    """``| package | may import |`` rows: the first `name` of the first cell → every `name` of
    the second. A table without rows is an error (the test must not pass on nothing)."""
    rules: dict[str, set[str]] = {}
    in_table = False
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if len(cells) == 2 and cells[0].lower() == "package" and cells[1].lower() == "may import":
            in_table = True
            continue
        if not in_table:
            continue
        if not cells:
            break
        if set(cells[0]) <= set("-: "):
            continue  # the header's separator row
        names = re.findall(r"`([^`]+)`", cells[0])
        assert len(cells) == 2 and names, f"docs/layers.md: cannot read the row {line!r}"
        assert names[0] not in rules, f"docs/layers.md: two rows for {names[0]!r}"
        rules[names[0]] = set(re.findall(r"`([^`]+)`", cells[1]))
    assert rules, "docs/layers.md has no | package | may import | table"
    return rules


def layer_of(module: str) -> str:
    """The table row a module falls under: its top-level package under quizhub."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return ENTRY
    return parts[1] if len(parts) > 1 else PACKAGE


# ---------------------------------------------------------------- the modules and their arrows
def source_modules() -> list[Module]:
    """Every module under src/quizhub and the entry files src/*.py."""
    modules = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")) + sorted(SRC.glob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        rel = str(path.relative_to(ROOT))
        modules.append(Module(name, rel, path.read_text(encoding="utf-8"), is_package))
    return modules


def _resolve(name: str, known: set[str]) -> str | None:
    """The module ``name`` or the nearest package holding it; None outside the source tree."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def arrows_of(module: Module, known: set[str]) -> list[Arrow]:
    """Every import of ``module`` that lands on a module of ``known`` (other than itself)."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(module.source, module.path)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in known else base, node.lineno))
        elif isinstance(node, ast.Call) and _is_import_call(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    arrows: dict[tuple[str, int], Arrow] = {}  # one per imported module and line
    for name, line in found:
        target = _resolve(name, known)
        if target is not None and target != module.name:
            arrows.setdefault((target, line), Arrow(module.name, target, module.path, line))
    return sorted(arrows.values(), key=lambda a: (a.line, a.target))


def _is_import_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def all_arrows(modules: Iterable[Module]) -> list[Arrow]:
    modules = list(modules)
    known = {m.name for m in modules}
    return [a for m in modules for a in arrows_of(m, known)]


# ---------------------------------------------------------------- the checks
def forbidden(arrows: Iterable[Arrow], rules: Mapping[str, set[str]]) -> list[str]:
    """One line per arrow the table does not allow (or whose package has no row)."""
    out = []
    for a in arrows:
        src, dst = layer_of(a.source), layer_of(a.target)
        if src == dst:
            continue
        if src not in rules:
            out.append(f"{a.path}:{a.line}: package {src!r} has no row in docs/layers.md")
        elif dst not in rules[src]:
            allowed = ", ".join(sorted(rules[src])) or "nothing"
            out.append(
                f"{a.path}:{a.line}: forbidden arrow {src} → {dst} ({a.source} imports"
                f" {a.target}); docs/layers.md lets {src} import only: {allowed}"
            )
    return out


def cycles(arrows: Iterable[Arrow]) -> list[list[Arrow]]:
    """One import ring per strongly connected group of modules (Tarjan), each as its arrows."""
    graph: dict[str, dict[str, Arrow]] = {}
    for a in arrows:
        graph.setdefault(a.source, {}).setdefault(a.target, a)
        graph.setdefault(a.target, {})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_ring(graph, group) for group in groups]


def _ring(graph: Mapping[str, Mapping[str, Arrow]], group: set[str]) -> list[Arrow]:
    """A shortest ring through the group's first module (breadth-first inside the group)."""
    start = min(group)
    came: dict[str, Arrow] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w, arrow in sorted(graph[v].items()):
                if w not in group or w in came:
                    continue
                came[w] = arrow
                if w == start:
                    ring = [arrow]
                    while ring[0].source != start:
                        ring.insert(0, came[ring[0].source])
                    return ring
                nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no ring through {start}")  # a strongly connected group has one


def describe(ring: list[Arrow]) -> str:
    steps = " → ".join(a.source for a in ring) + f" → {ring[0].source}"
    where = "; ".join(f"{a.path}:{a.line}" for a in ring)
    return f"import cycle {steps} ({where})"


def layer_cycle(rules: Mapping[str, set[str]]) -> list[str]:
    """A package that may import, through others, itself (the table is not layered)."""
    graph = [Arrow(src, dst, "docs/layers.md", 0) for src, dsts in rules.items() for dst in dsts]
    return [" → ".join(a.source for a in ring) + f" → {ring[0].source}" for ring in cycles(graph)]


# ---------------------------------------------------------------- the tests
def _rules() -> dict[str, set[str]]:
    return parse_rules(TABLE.read_text(encoding="utf-8"))


def test_the_table_is_layered_and_names_every_package() -> None:
    rules = _rules()
    assert not layer_cycle(rules), f"docs/layers.md is not layered: {layer_cycle(rules)}"
    unknown = {dst for dsts in rules.values() for dst in dsts} - set(rules)
    assert not unknown, f"docs/layers.md allows imports of packages without a row: {unknown}"
    present = {layer_of(m.name) for m in source_modules()}
    assert present - set(rules) == set(), f"no row in docs/layers.md for {present - set(rules)}"
    assert set(rules) - present == set(), f"rows for what does not exist: {set(rules) - present}"


def test_every_import_goes_where_the_layers_allow() -> None:
    bad = forbidden(all_arrows(source_modules()), _rules())
    assert not bad, "imports against docs/layers.md:\n" + "\n".join(bad)


def test_no_module_imports_itself_through_others() -> None:
    rings = cycles(all_arrows(source_modules()))
    assert not rings, "\n".join(describe(r) for r in rings)


def test_the_checks_catch_a_planted_violation_and_a_planted_cycle() -> None:
    """The checks above are not vacuous: on the real tree plus a few planted modules they name
    a function-local relative import from store into search, and a ring of two modules."""
    rules = _rules()
    real = source_modules()
    assert len(real) > 100 and len(all_arrows(real)) > 300
    planted = [
        Module(
            "quizhub.store.planted",
            "src/quizhub/store/planted.py",
            "def terms():\n    from ..search import terms\n\n    return terms\n",
        ),
        Module(
            "quizhub.domain.ring_a",
            "src/quizhub/domain/ring_a.py",
            "import quizhub.domain.ring_b\n",
        ),
        Module(
            "quizhub.domain.ring_b",
            "src/quizhub/domain/ring_b.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import ring_a\n",
        ),
    ]
    before = all_arrows(real)
    arrows = all_arrows(real + planted)
    bad = [line for line in forbidden(arrows, rules) if line not in forbidden(before, rules)]
    assert len(bad) == 1 and bad[0].startswith(
        "src/quizhub/store/planted.py:2: forbidden arrow store → search (quizhub.store.planted"
        " imports quizhub.search.terms); docs/layers.md lets store import only: "
    ), bad
    rings = [
        describe(r) for r in cycles(arrows) if describe(r) not in map(describe, cycles(before))
    ]
    assert rings == [
        "import cycle quizhub.domain.ring_a → quizhub.domain.ring_b → quizhub.domain.ring_a"
        " (src/quizhub/domain/ring_a.py:1; src/quizhub/domain/ring_b.py:3)"
    ]
    assert layer_cycle({**rules, "domain": rules["domain"] | {"api"}})


def test_the_table_parser_reads_rows_and_refuses_an_empty_table() -> None:
    text = "| package | may import |\n|---|---|\n| `a` (x) | `b`, `c` |\n| `b` | — |\n\nafter\n"
    assert parse_rules(text) == {"a": {"b", "c"}, "b": set()}
    with pytest.raises(AssertionError, match=re.escape("no | package | may import | table")):
        parse_rules("no table here")
