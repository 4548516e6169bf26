"""D1 adapter: ``quizhub.ports.D1Database`` over the JS ``D1Database`` binding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quizhub.cloudflare._ffi import from_js, to_js, unwrap

__all__ = ["D1", "D1Statement"]


_MAX_SAFE_INTEGER = 2**53 - 1


def _bind_value(value: Any) -> Any:
    """One bound parameter: None -> null, bool -> 0/1, bytes -> Uint8Array, lists stay lists."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and abs(value) <= _MAX_SAFE_INTEGER:
        # Pyodide makes a BigInt (D1_TYPE_ERROR) of ±(2**53 - 1) itself; a float is the same
        # JS Number. Larger ints stay BigInt and are refused, as by D1.
        return float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        from quizhub.cloudflare._ffi import js_bytes

        return js_bytes(bytes(value))
    return to_js(value)


def _result(raw: Any) -> Any:
    """A D1 result object -> ``{"success", "results", "meta"}`` with plain Python values."""
    out = from_js(raw) or {}
    out.setdefault("results", [])
    out.setdefault("meta", {})
    out.setdefault("success", True)
    return out


class D1Statement:
    """A prepared (and possibly bound) statement; ``bind`` returns a new one, as in D1."""

    def __init__(self, js_stmt: Any) -> None:
        self._stmt = js_stmt

    def bind(self, *values: Any) -> D1Statement:
        return D1Statement(self._stmt.bind(*[_bind_value(v) for v in values]))

    async def first(self, column: str | None = None) -> Any:
        """First row as a dict (or the value of ``column``), None when there is no row."""
        raw = await (self._stmt.first() if column is None else self._stmt.first(column))
        return from_js(raw)

    async def all(self) -> Any:
        return _result(await self._stmt.all())

    async def run(self) -> Any:
        return _result(await self._stmt.run())


class D1:
    """``env.DB``: prepare / batch (one transaction) / exec."""

    def __init__(self, binding: Any) -> None:
        self._db = unwrap(binding)

    def prepare(self, sql: str) -> D1Statement:
        return D1Statement(self._db.prepare(sql))

    async def batch(self, statements: Sequence[Any]) -> list[Any]:
        """Run the statements in order inside ONE transaction (all or nothing)."""
        import js

        js_statements = js.Array.new()
        for stmt in statements:
            if not isinstance(stmt, D1Statement):
                raise TypeError(f"D1 batch takes statements from this adapter, not {type(stmt)!r}")
            js_statements.push(stmt._stmt)
        return [_result(r) for r in await self._db.batch(js_statements)]

    async def exec(self, sql: str) -> Any:
        return from_js(await self._db.exec(sql))
