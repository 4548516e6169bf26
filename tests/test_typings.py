"""The stubs of the Workers SDK (typings/workers/, which mypy reads for the entry files src/*.py)
name what the installed SDK defines, with its parameters.

The SDK imports ``js`` and cannot be imported on CPython, so its sources are read with ``ast``
(``importlib.util.find_spec`` locates the package without running it). A name the SDK's package
re-exports (``from .entrypoints import WorkerEntrypoint``) is followed to where it is defined.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUBS = ROOT / "typings" / "workers"

Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def sdk_dir() -> Path:
    spec = importlib.util.find_spec("workers")
    assert spec is not None and spec.submodule_search_locations, "workers-runtime-sdk is missing"
    return Path(next(iter(spec.submodule_search_locations)))


def module_file(directory: Path, module: str) -> Path:
    """``workers`` → ``__init__``, ``workers.asgi`` → ``asgi`` (a .py or a .pyi)."""
    stem = "__init__" if module == "workers" else module.removeprefix("workers.")
    for suffix in (".py", ".pyi"):
        path = directory / f"{stem.replace('.', '/')}{suffix}"
        if path.is_file():
            return path
    raise AssertionError(f"no {module} under {directory}")


def definitions(path: Path) -> dict[str, Definition]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {n.name: n for n in tree.body if isinstance(n, Definition)}


def sdk_definition(module: str, name: str) -> Definition:
    """Where the SDK defines ``module.name``, following one relative re-export."""
    path = module_file(sdk_dir(), module)
    found = definitions(path).get(name)
    if found is not None:
        return found
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.ImportFrom) and node.level == 1 and node.module):
            continue
        if any(alias.name == name and alias.asname is None for alias in node.names):
            return definitions(path.parent / f"{node.module}.py")[name]
    raise AssertionError(f"the SDK has no {module}.{name}")


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, str]]:
    args = function.args
    return (
        [(a.arg, "positional") for a in args.posonlyargs + args.args]
        + [(a.arg, "keyword") for a in args.kwonlyargs]
        + ([("*", args.vararg.arg)] if args.vararg else [])
        + ([("**", args.kwarg.arg)] if args.kwarg else [])
    )


STUBBED = [
    (f"workers.{p.stem}" if p.stem != "__init__" else "workers", name, node)
    for p in sorted(STUBS.glob("*.pyi"))
    for name, node in definitions(p).items()
]


def test_there_are_stubs() -> None:
    names = {f"{module}.{name}" for module, name, _ in STUBBED}
    assert {"workers.WorkerEntrypoint", "workers.asgi.fetch"} <= names


@pytest.mark.parametrize(
    ("module", "name", "stub"), STUBBED, ids=[f"{m}.{n}" for m, n, _ in STUBBED]
)
def test_each_stub_matches_the_sdk(module: str, name: str, stub: Definition) -> None:
    real = sdk_definition(module, name)
    assert type(real) is type(stub), f"{module}.{name} is a {type(real).__name__} in the SDK"
    if isinstance(stub, ast.ClassDef):
        assert isinstance(real, ast.ClassDef)
        assert list(map(ast.unparse, stub.bases)) == list(map(ast.unparse, real.bases)), name
        methods = definitions_of(real)
        for attribute in (n.target for n in stub.body if isinstance(n, ast.AnnAssign)):
            assert isinstance(attribute, ast.Name)
            assert attribute.id in annotated(real), f"the SDK's {name} declares no {attribute.id}"
        for method in (n for n in stub.body if isinstance(n, ast.FunctionDef)):
            assert method.name in methods, f"the SDK's {name} has no {method.name}"
            assert parameters(method) == parameters(methods[method.name]), f"{name}.{method.name}"
    else:
        assert not isinstance(real, ast.ClassDef)
        assert parameters(stub) == parameters(real), f"{module}.{name}"


def definitions_of(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def annotated(cls: ast.ClassDef) -> set[str]:
    return {
        n.target.id
        for n in cls.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
