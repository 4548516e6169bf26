"""The Hyperdrive binding → ``quizhub.analytics.pg.PgParams``: Hyperdrive hands the Worker a
JS object whose ``host, port, user, password, database`` reach its pooled proxy (TLS is
terminated by Hyperdrive, so asyncpg connects with ``ssl=False``). The same
``AsyncpgDatabase`` then runs as on the local platform."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from quizhub.cloudflare._ffi import from_js, unwrap
from quizhub.errors import Code, Transient
from quizhub.ports import PgConnection

__all__ = ["HYPERDRIVE_BINDING", "hyperdrive_params", "HyperdriveDatabase"]

HYPERDRIVE_BINDING = "HYPERDRIVE"
_FIELDS = ("host", "port", "user", "password", "database")


def hyperdrive_params(binding: Any) -> PgParams:
    """The connection details of ``env.HYPERDRIVE`` (SDK-wrapped or raw); a RuntimeError naming
    the field a binding without them lacks."""
    raw = unwrap(binding)
    values = {name: from_js(getattr(raw, name, None)) for name in _FIELDS}
    # An empty password is a password (a local trust-auth server); the rest must be there.
    missing = [n for n, v in values.items() if v is None or (v == "" and n != "password")]
    if missing:
        raise RuntimeError(f"the Hyperdrive binding has no {', '.join(missing)}")
    return PgParams(
        host=str(values["host"]),
        port=int(values["port"]),
        user=str(values["user"]),
        password=str(values["password"]),
        database=str(values["database"]),
    )


class HyperdriveDatabase:
    """The ``AnalyticsDatabase`` port over ``env.HYPERDRIVE``. The binding is read when a
    connection opens, not when the Worker's bindings are built: a misconfigured Hyperdrive
    fails play analytics (a retried batch, a 503 stats page), never the rest of the API."""

    def __init__(self, binding: Any) -> None:
        self._binding = binding

    def _database(self) -> AsyncpgDatabase:
        try:
            return AsyncpgDatabase(hyperdrive_params(self._binding))
        except (RuntimeError, TypeError, ValueError) as exc:
            raise Transient(
                f"HYPERDRIVE binding unusable: {exc}", code=Code.ANALYTICS_DB_UNAVAILABLE
            ) from exc

    def describe(self) -> str:
        return self._database().describe()

    def connect(self) -> AbstractAsyncContextManager[PgConnection]:
        return self._database().connect()
