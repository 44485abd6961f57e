"""Throw-away PostgreSQL databases for smoke cells, made with the server's own `psql`.

The harness is given an administrator URL (`--postgres-url` or WEBSTARTER_POSTGRES_URL); each
postgresql cell gets a database of its own, dropped when the cell ends.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from webstarter.errors import PostgresError, UsageError
from webstarter.texts import last_line


@dataclass(frozen=True)
class PostgresServer:
    """A server reachable with an administrator URL (postgresql://user:pw@host:port/db)."""

    admin_url: str

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise UsageError(f"'{url}' is not a postgresql://user@host/database URL")
        if shutil.which("psql") is None:
            raise UsageError("psql is not installed: the smoke harness uses it to create databases")
        server = cls(url)
        server.sql("SELECT 1")
        return server

    def sql(self, statement: str) -> str:
        result = subprocess.run(  # noqa: S603 - psql with a statement built here
            ["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
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
