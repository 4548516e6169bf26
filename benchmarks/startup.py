"""``make bench`` (startup): the CPU time the Workers' entry files spend at module level, against
a floor measured in the same run.

A Python Worker must start within 1 s of CPU, and the deploy snapshot runs the entry file's
module level (imports, ``APP = create_app()``). Three cases, each in a fresh interpreter:

- **floor**: ``import fastapi`` and a FastAPI app with one route: Cloudflare's own Python
  example, the least any FastAPI Worker pays;
- **API Worker**: the module level of ``src/api_worker.py``;
- **consumer Worker**: the module level of ``src/consumer_worker.py`` (with ``src/workflow.py``,
  which it imports).

The entry files import the Workers SDK (``workers``), which needs the Pyodide runtime, so a case
runs the entry's module-level statements without the SDK: its ``quizhub`` imports (and those of
the entry files it imports) and its assignments (``APP = create_app()``); classes are left out.
``entry_code`` derives them from the files, so the measure follows the entry files as they change.

Each child reads ``time.process_time()`` (CPU) and ``time.perf_counter()`` (wall) around the
statements alone, so interpreter start-up is not counted. Rounds interleave the cases; the
report gives medians. Two bytecode states are measured, each in a private cache
(``PYTHONPYCACHEPREFIX``): **cached** (``.pyc`` files written by a warm-up run) and **packages
compiled from source** (the standard library's ``.pyc`` files only: every other module is compiled
as it is imported, as in an environment installed without byte-compiling, which is what
``uv sync`` does by default). A child run with ``-X importtime`` names the heaviest modules of each
Worker.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import add_out_option, markdown_table, write_report

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
API_ENTRY = SRC / "api_worker.py"
CONSUMER_ENTRY = SRC / "consumer_worker.py"
# The target: each Worker's module level within this multiple of the floor's CPU time.
TARGET_RATIO = 1.5
CACHED, SOURCE = "bytecode cached", "packages from source"  # the two bytecode states
TRACE_RUNS = 5  # -X importtime runs per case; each line keeps its least time
IMPORTTIME_MARK = "--- quizhub startup: measured statements follow ---"

# Cloudflare's FastAPI example for Python Workers, without the Workers SDK.
FLOOR_CODE = textwrap.dedent(
    """\
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/")
    async def root():
        return {"message": "This is an example of FastAPI"}
    """
)

# The child: compile first, then time the statements alone.
CHILD = textwrap.dedent(
    """\
    import gc, json, sys, time
    code = compile(sys.argv[1], "<startup>", "exec")
    if sys.argv[3] == "gc-off":
        gc.disable()
    before = len(sys.modules)
    print(sys.argv[2], file=sys.stderr, flush=True)
    cpu, wall = time.process_time(), time.perf_counter()
    exec(code, {"__name__": "__startup__"})
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"cpu": cpu, "wall": wall, "modules": len(sys.modules) - before}))
    """
)


def entry_code(entry: Path) -> str:
    """The module-level statements of an entry file that run on CPython: ``quizhub`` imports,
    the statements of entry files it imports (``from workflow import …``) and assignments.
    Imports of the Workers runtime (``workers``, ``js``, ``pyodide``) and of ``__future__``,
    classes, functions and the docstring are left out."""
    lines: list[str] = []
    for node in ast.parse(entry.read_text(encoding="utf-8"), str(entry)).body:
        if isinstance(node, ast.Import):  # one statement per name: `import a, b` → two
            imports: list[tuple[str, ast.stmt]] = [
                (alias.name, ast.Import(names=[alias])) for alias in node.names
            ]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            imports = [(node.module or "", node)]
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            lines.append(ast.unparse(node))
            continue
        else:
            continue
        for module, statement in imports:
            root = module.partition(".")[0]
            other_entry = SRC / f"{root}.py"
            if root == "quizhub":
                lines.append(ast.unparse(statement))
            elif other_entry.is_file() and other_entry != entry:
                lines.append(entry_code(other_entry))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Case:
    name: str
    code: str


def cases() -> list[Case]:
    return [
        Case("floor: FastAPI + one route", FLOOR_CODE),
        Case("API Worker (src/api_worker.py)", entry_code(API_ENTRY)),
        Case("consumer Worker (src/consumer_worker.py)", entry_code(CONSUMER_ENTRY)),
    ]


def child_env(pycache: Path, *, write_bytecode: bool) -> dict[str, str]:
    """This checkout's ``src`` first on the path (ahead of any installed copy of quizhub), and a
    private bytecode cache: ``PYTHONPYCACHEPREFIX`` makes Python read and write ``.pyc`` files
    there only, so neither state depends on caches left by other runs."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(ROOT)])
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def keep_only_stdlib_bytecode(pycache: Path) -> int:
    """Delete the ``.pyc`` files under ``pycache`` (a ``PYTHONPYCACHEPREFIX``) of modules outside
    the standard library; returns how many were kept. Under a prefix, a module's ``.pyc`` lies
    in the prefix joined with its source directory."""
    paths = sysconfig.get_paths()
    stdlib = [Path(paths[k]).resolve() for k in ("stdlib", "platstdlib")]
    packages = [Path(p).resolve() for p in {paths["purelib"], paths["platlib"]}]
    kept = 0
    for pyc in pycache.rglob("*.pyc"):
        source_dir = Path("/", pyc.parent.relative_to(pycache)).resolve()
        in_stdlib = any(source_dir.is_relative_to(d) for d in stdlib)
        if in_stdlib and not any(source_dir.is_relative_to(d) for d in packages):
            kept += 1
        else:
            pyc.unlink()
    return kept


def run_child(
    code: str, env: Mapping[str, str], *, importtime: bool = False
) -> tuple[dict[str, float], str]:
    """One fresh interpreter running ``code``: its measures and its stderr. With ``importtime``
    the garbage collector is off, so that no collection's pause is charged to the module whose
    import happened to start it."""
    flags = ["-X", "importtime"] if importtime else []
    gc_state = "gc-off" if importtime else "gc-on"
    done = subprocess.run(
        [sys.executable, *flags, "-c", CHILD, code, IMPORTTIME_MARK, gc_state],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the child failed:\n{code}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@dataclass(frozen=True)
class Timing:
    cpu: list[float]
    wall: list[float]
    modules: int

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def measure(all_cases: Sequence[Case], rounds: int, env: Mapping[str, str]) -> dict[str, Timing]:
    """``rounds`` runs of every case, interleaved (the order rotates each round)."""
    cpu: dict[str, list[float]] = {c.name: [] for c in all_cases}
    wall: dict[str, list[float]] = {c.name: [] for c in all_cases}
    modules: dict[str, int] = {}
    for r in range(rounds):
        for i in range(len(all_cases)):
            case = all_cases[(r + i) % len(all_cases)]
            got, _ = run_child(case.code, env)
            cpu[case.name].append(got["cpu"])
            wall[case.name].append(got["wall"])
            modules[case.name] = int(got["modules"])
    return {c.name: Timing(cpu[c.name], wall[c.name], modules[c.name]) for c in all_cases}


@dataclass(frozen=True)
class Imported:
    """One ``-X importtime`` line (microseconds) and the imports it made (its children)."""

    module: str
    self_us: int
    cumulative_us: int
    children: tuple[Imported, ...] = ()

    def walk(self) -> Iterator[Imported]:
        yield self
        for child in self.children:
            yield from child.walk()

    def beyond(self, floor: set[str]) -> int:
        """Cumulative time less the subtrees of modules the floor loads too."""
        if self.module in floor:
            return 0
        own = self.self_us + sum(c.beyond(floor) for c in self.children)
        return min(own, self.cumulative_us)  # the parts' rounding can add up past the whole


def parse_importtime(stderr: str) -> list[Imported]:
    """The import tree of the ``-X importtime`` lines after the mark (the measured statements'
    imports only). Lines come children first, each indented one level deeper than its parent."""
    _, _, after = stderr.partition(IMPORTTIME_MARK)
    pending: list[tuple[int, Imported]] = []  # (depth, node) not yet claimed by a parent
    for line in after.splitlines():
        if not line.startswith("import time:"):
            continue
        cells = line.removeprefix("import time:").split("|")
        if len(cells) != 3 or not cells[0].strip().isdigit():
            continue  # the header line
        name = cells[2].rstrip()
        depth = len(name) - len(name.lstrip())
        children: list[Imported] = []
        while pending and pending[-1][0] > depth:
            children.insert(0, pending.pop()[1])
        node = Imported(name.strip(), int(cells[0]), int(cells[1]), tuple(children))
        pending.append((depth, node))
    return [node for _, node in pending]


def fastest(runs: Sequence[Sequence[Imported]]) -> list[Imported]:
    """Several runs' trees merged, each line's times the least of the runs (``-X importtime``
    reads a wall clock, so one preempted run would put another process's time on a module).
    The runs import the same modules in the same order; where a run differs, the first wins."""
    first = runs[0]

    def merge(nodes: Sequence[Imported]) -> Imported:
        node = nodes[0]
        same = [
            n for n in nodes if n.module == node.module and len(n.children) == len(node.children)
        ]
        children = tuple(merge([n.children[i] for n in same]) for i in range(len(node.children)))
        return Imported(
            node.module,
            min(n.self_us for n in same),
            min(n.cumulative_us for n in same),
            children,
        )

    alike = [r for r in runs if len(r) == len(first)]
    return [merge([r[i] for r in alike]) for i in range(len(first))]


def heaviest(roots: Sequence[Imported], floor: set[str], top: int) -> list[Imported]:
    """The ``top`` modules by time beyond the floor (``Imported.beyond``), one line each. A
    module is listed twice when importing it first imported a package that imported it
    (``quizhub.cloudflare.env`` through ``quizhub.cloudflare``): the line that ran its body
    (the larger own time) is kept."""
    kept: dict[str, Imported] = {}
    for root in roots:
        for node in root.walk():
            if node.module in floor:
                continue
            if node.module not in kept or node.self_us > kept[node.module].self_us:
                kept[node.module] = node
    return sorted(kept.values(), key=lambda m: m.beyond(floor), reverse=True)[:top]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def timing_table(timings: Mapping[str, Timing], floor: str) -> str:
    base = timings[floor].cpu_median
    rows = []
    for name, t in timings.items():
        ratio = "1.00" if name == floor else f"{t.cpu_median / base:.2f}"
        rows.append(
            (
                name,
                _ms(t.cpu_median),
                f"{_ms(min(t.cpu))} – {_ms(max(t.cpu))}",
                _ms(statistics.median(t.wall)),
                f"{ratio} ×",
                t.modules,
            )
        )
    return markdown_table(
        ["case", "CPU (median)", "CPU (min – max)", "wall (median)", "× floor (CPU)", "modules"],
        rows,
    )


def importtime_table(rows: Sequence[Imported], floor: set[str]) -> str:
    def ms(us: int) -> str:
        return f"{us / 1000:.1f} ms"

    if not floor:
        header = ["module", "cumulative", "self"]
        cells = [(f"`{m.module}`", ms(m.cumulative_us), ms(m.self_us)) for m in rows]
    else:
        header = ["module", "cumulative", "of which the floor does not load", "self"]
        cells = [
            (f"`{m.module}`", ms(m.cumulative_us), ms(m.beyond(floor)), ms(m.self_us)) for m in rows
        ]
    return markdown_table(header, cells)


def bench(rounds: int, top: int, out: str | None = None) -> dict[str, dict[str, Timing]]:
    all_cases = cases()
    floor, api, consumer = (c.name for c in all_cases)
    results: dict[str, dict[str, Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="quizhub-startup-") as tmp:
        cached_env = child_env(Path(tmp) / "pyc", write_bytecode=True)
        for case in all_cases:  # the warm-up run that writes the cached state's .pyc files
            run_child(case.code, cached_env)
        # The other state: the same warm-up, then only the standard library's .pyc files kept.
        stdlib_pyc = Path(tmp) / "stdlib-pyc"
        for case in all_cases:
            run_child(case.code, child_env(stdlib_pyc, write_bytecode=True))
        if not keep_only_stdlib_bytecode(stdlib_pyc):
            raise RuntimeError("no standard library bytecode was written")
        source_env = child_env(stdlib_pyc, write_bytecode=False)
        results[CACHED] = measure(all_cases, rounds, cached_env)
        print(timing_table(results[CACHED], floor), "\n", flush=True)
        results[SOURCE] = measure(all_cases, rounds, source_env)
        print(timing_table(results[SOURCE], floor), "\n", flush=True)
        traced = {
            c.name: fastest(
                [
                    parse_importtime(run_child(c.code, cached_env, importtime=True)[1])
                    for _ in range(TRACE_RUNS)
                ]
            )
            for c in all_cases
        }
    in_floor = {m.module for root in traced[floor] for m in root.walk()}
    statements = "\n".join(
        f"- {c.name}:\n\n  ```python\n{textwrap.indent(c.code, '  ')}\n  ```\n" for c in all_cases
    )
    verdicts = []
    for state, timings in results.items():
        base = timings[floor].cpu_median
        for name in (api, consumer):
            ratio = timings[name].cpu_median / base
            verdict = "within" if ratio <= TARGET_RATIO else "over"
            verdicts.append(f"{name}, {state}: {ratio:.2f} × the floor ({verdict} the target)")
    body = (
        f"CPU time of each case's statements in a fresh interpreter, median of {rounds} rounds "
        f"(the cases interleaved), and the modules they add to `sys.modules`. The target is "
        f"at most {TARGET_RATIO:g} × the floor's CPU time.\n\n"
        f"**Bytecode cached** (`.pyc` files from a warm-up run):\n\n"
        f"{timing_table(results[CACHED], floor)}\n\n"
        f"**Packages compiled from source** (only the standard library's `.pyc` files; every "
        f"other module is compiled as it is imported, as in an environment installed without "
        f"byte-compiling):\n\n"
        f"{timing_table(results[SOURCE], floor)}\n\n"
        + "".join(f"- {v}\n" for v in verdicts)
        + "\nThe heaviest imports of the API Worker beyond the floor (`-X importtime`, bytecode "
        f"cached, garbage collector off, the least of {TRACE_RUNS} runs). A module's cumulative "
        "time includes the modules it imports (FastAPI's too, under the first module that "
        "imports it); the next column leaves out the modules the floor loads as well; its own "
        "time includes what its body runs, such as route decorators:\n\n"
        f"{importtime_table(heaviest(traced[api], in_floor, top), in_floor)}\n\n"
        "The heaviest imports of the consumer Worker:\n\n"
        f"{importtime_table(heaviest(traced[consumer], set(), top), set())}\n\n"
        f"The statements each case runs (derived from the entry files by "
        f"`benchmarks/startup.py`):\n\n{statements}"
    )
    print("\n".join(verdicts))
    print(f"wrote {write_report('startup', body, out=out)}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--rounds", type=int, default=11, help="runs of each case per state")
    parser.add_argument("--top", type=int, default=10, help="modules listed per Worker")
    add_out_option(parser)
    args = parser.parse_args(argv)
    bench(max(1, args.rounds), max(1, args.top), args.out)


if __name__ == "__main__":
    main()
