"""PostgreSQL for the smoke cells: a throw-away database per postgresql cell, on a server
given by URL or, failing that, on a throw-away server of the harness's own.

- `--postgres-url` (or WEBSTARTER_POSTGRES_URL) names an administrator URL; each cell gets a
  database of its own, made and dropped with the server's own `psql`.
- Without one, when the server binaries (`initdb`, `pg_ctl`) are on PATH or in Debian's
  /usr/lib/postgresql/<version>/bin, the first postgresql cell starts a server in the run's
  work folder on a free loopback port (pytest-postgresql's executor, over mirakuru), which is
  stopped and removed when the run ends, Ctrl-C included. initdb and pg_ctl refuse to run as
  root: as root the server runs as the `postgres` user (through `runuser`), or is not had.
- Without either, the cells' `database` steps are skipped and say why; with CI set they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from webstarter.errors import PostgresError, StepFailed, StepSkipped, UsageError
from webstarter.smoke.processes import free_port
from webstarter.texts import last_line

if TYPE_CHECKING:
    from pytest_postgresql.executors.proc import PostgreSQLExecutor

DEBIAN_SERVERS = Path("/usr/lib/postgresql")  # <version>/bin/{initdb,pg_ctl,psql}
SERVER_USER = "postgres"  # who runs the throw-away server when the harness runs as root
START_TIMEOUT = 60  # seconds for initdb + start, and again for stop


@dataclass(frozen=True)
class PostgresServer:
    """A server reachable with an administrator URL (postgresql://user:pw@host:port/db)."""

    admin_url: str
    psql: str = "psql"

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise UsageError(f"'{url}' is not a postgresql://user@host/database URL")
        psql = shutil.which("psql") or _newest_debian_tool("psql")
        if psql is None:
            raise UsageError("psql is not installed: the smoke harness uses it to create databases")
        server = cls(url, str(psql))
        server.sql("SELECT 1")
        return server

    def sql(self, statement: str) -> str:
        try:
            result = subprocess.run(  # noqa: S603 - psql with a statement built here
                [self.psql, self.admin_url, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            raise PostgresError(f"psql gave no answer within 30 s: {statement}") from None
        if result.returncode != 0:
            raise PostgresError(last_line(result.stderr, "psql failed"))
        return result.stdout.strip()

    def create_database(self, prefix: str) -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{secrets.token_hex(4)}".lower()
        self.sql(f'CREATE DATABASE "{name}"')
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name)) or (0,)


def _newest_debian_tool(name: str) -> Path | None:
    folders = sorted(DEBIAN_SERVERS.glob("*/bin"), key=_version_key, reverse=True)
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def find_server_binaries() -> Path | None:
    """The folder with `initdb` and `pg_ctl`: from PATH, else Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").is_file():
        return Path(on_path).resolve().parent  # a link on PATH: the folder that has psql too
    pg_ctl = _newest_debian_tool("pg_ctl")
    if pg_ctl is not None and (pg_ctl.parent / "initdb").is_file():
        return pg_ctl.parent
    return None


class ThrowAwayServer:
    """A PostgreSQL server in `folder`, on a free loopback port, until `stop`."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir = bindir
        self.folder = folder
        self._executor: PostgreSQLExecutor | None = None
        self._wrapper_dir: Path | None = None

    def _pg_ctl(self) -> str:
        """pg_ctl itself, or as root a wrapper that runs it as SERVER_USER."""
        pg_ctl = self.bindir / "pg_ctl"
        if os.geteuid() != 0:
            return str(pg_ctl)
        import pwd

        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresError(
                f"initdb refuses to run as root, and there is no `{SERVER_USER}` user to run "
                "it as: pass --postgres-url, or run webstarter as another user"
            ) from None
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresError("initdb refuses to run as root, and `runuser` is not installed")
        # The server's user must reach its folder: the work folder lets others pass through
        # (never list it), and the server's own folder is theirs. Where a folder above the work
        # folder is closed to them (a --workdir under /root), the server lives in a temporary
        # folder of its own instead.
        self.folder.parent.chmod(0o711)
        if not _reachable(self.folder.parent, user.pw_uid, user.pw_gid):
            self.folder.rmdir()
            self.folder = Path(tempfile.mkdtemp(prefix="webstarter-smoke-postgres-"))
        os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._wrapper_dir = Path(tempfile.mkdtemp(prefix="webstarter-pg_ctl-"))  # root's own
        wrapper = self._wrapper_dir / "pg_ctl"
        wrapper.write_text(
            f'#!/bin/sh\ncd / && exec {runuser} -u {SERVER_USER} -- "{pg_ctl}" "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
        return str(wrapper)

    def start(self) -> PostgresServer:
        try:
            from mirakuru.exceptions import ExecutorError
            from pytest_postgresql.exceptions import PostgreSQLUnsupported
            from pytest_postgresql.executors.proc import PostgreSQLExecutor
        except ImportError as error:  # psycopg without libpq, say
            raise PostgresError(f"cannot load pytest-postgresql's executor: {error}") from None

        self.folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        executor = PostgreSQLExecutor(
            executable=self._pg_ctl(),
            host="127.0.0.1",
            port=port,
            datadir=str(self.folder / "data"),
            unixsocketdir=str(self.folder),
            logfile=str(self.folder / "server.log"),
            startparams="-w",
            dbname="postgres",
            user=SERVER_USER,
            timeout=START_TIMEOUT,
        )
        self._executor = executor
        try:
            executor.start()
        except (OSError, subprocess.SubprocessError, ExecutorError, PostgreSQLUnsupported) as error:
            why = last_line(str(error), type(error).__name__)
            raise PostgresError(
                f"cannot start a PostgreSQL server in {self.folder}: {why}"
            ) from None
        psql = self.bindir / "psql"
        return PostgresServer(
            f"postgresql://{SERVER_USER}@127.0.0.1:{port}/postgres",
            str(psql) if psql.is_file() else "psql",
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder; what is gone is fine."""
        executor, self._executor = self._executor, None
        if executor is not None:
            with contextlib.suppress(Exception):  # a server that never started, or is gone
                executor.stop()
            if (launcher := executor.process) is not None:  # pg_ctl's pipes, if stop left them
                with contextlib.suppress(Exception):
                    launcher.__exit__(None, None, None)
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._wrapper_dir is not None:
            shutil.rmtree(self._wrapper_dir, ignore_errors=True)


@dataclass
class PostgresPolicy:
    """Where postgresql cells get their databases: the server given by URL, else a throw-away
    server started on first need (from `bindir`, in `folder`), else none and `reason`. With
    `required` (CI) a missing server fails the `database` step instead of skipping it."""

    given: PostgresServer | None = None
    bindir: Path | None = None
    folder: Path | None = None
    reason: str = "no --postgres-url given"
    required: bool = False
    _own: ThrowAwayServer | None = field(default=None, init=False, repr=False)
    _started: PostgresServer | None = field(default=None, init=False, repr=False)
    _error: str = field(default="", init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def describe(self) -> str:
        if self.given is not None:
            return urlsplit(self.given.admin_url)._replace(netloc=_no_password(self.given)).geturl()
        if self.bindir is not None:
            return f"a throw-away server from {self.bindir}, started when a cell needs it"
        verdict = "postgresql cells FAIL" if self.required else "postgresql cells are SKIPPED"
        return f"none ({self.reason}): {verdict}"

    def server(self) -> PostgresServer:
        """The server for a cell's database; StepSkipped (or StepFailed in CI) when none."""
        if self.given is not None:
            return self.given
        with self._lock:
            if self._started is not None:
                return self._started
            if self._closed:
                raise StepFailed("stopped: the run was interrupted")
            if self.bindir is None or self.folder is None:
                raise self._missing(self.reason)
            if self._error:
                raise self._missing(self._error)
            self._own = ThrowAwayServer(self.bindir, self.folder)
            try:
                self._started = self._own.start()
            except PostgresError as error:
                self._own.stop()
                self._error = error.message
                raise self._missing(self._error) from None
            return self._started

    def _missing(self, reason: str) -> StepFailed | StepSkipped:
        if self.required:
            return StepFailed(f"{reason} (CI is set: postgresql cells may not be skipped)")
        return StepSkipped(f"no PostgreSQL server: {reason}")

    def close(self) -> None:
        """Stop and remove the throw-away server, if one was started (waits for a start)."""
        with self._lock:
            self._closed = True
            self._started = None
            if self._own is not None:
                self._own.stop()
                self._own = None


def _reachable(folder: Path, uid: int, gid: int) -> bool:
    """Can the user `uid` (group `gid`) pass through `folder` and every folder above it?"""
    for each in (folder, *folder.parents):
        info = each.stat()
        if info.st_uid == uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def _no_password(server: PostgresServer) -> str:
    parts = urlsplit(server.admin_url)
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{user}{parts.hostname}{port}"


NO_SERVER = (
    "no --postgres-url (nor WEBSTARTER_POSTGRES_URL), and no PostgreSQL server binaries "
    f"(initdb, pg_ctl) on PATH or in {DEBIAN_SERVERS}/<version>/bin"
)
