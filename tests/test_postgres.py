"""PostgreSQL for smoke's postgresql cells: a given server, a throw-away one of the harness's
own (stopped and removed at the end, Ctrl-C included), or a loud skip (a failure in CI)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import processes_under

from webstarter.catalog import catalog
from webstarter.cli import app
from webstarter.errors import StepFailed, StepSkipped
from webstarter.smoke import postgres
from webstarter.smoke.matrix import Cell
from webstarter.smoke.postgres import PostgresPolicy, find_server_binaries
from webstarter.smoke.reports import as_json
from webstarter.smoke.runner import CellRunner, Timeouts

BINARIES = find_server_binaries()
needs_binaries = pytest.mark.skipif(BINARIES is None, reason="no initdb/pg_ctl here")


def _fake_server_tree(root: Path, version: str) -> Path:
    folder = root / version / "bin"
    folder.mkdir(parents=True)
    for tool in ("initdb", "pg_ctl", "psql"):
        (folder / tool).write_text("#!/bin/sh\n")
    return folder


def test_debian_server_binaries_are_found_off_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(postgres, "DEBIAN_SERVERS", tmp_path)
    assert find_server_binaries() is None
    _fake_server_tree(tmp_path, "9.6")
    newest = _fake_server_tree(tmp_path, "17")
    _fake_server_tree(tmp_path, "15")
    assert find_server_binaries() == newest


def test_without_a_server_the_database_step_is_skipped_loudly(tmp_path):
    runner = CellRunner(
        tmp_path,
        catalog()["flask"],
        Cell("flask", (("database", "postgresql"),)),
        tmp_path / "cell",
        Timeouts(),
        True,
        postgres=PostgresPolicy(reason="no server binaries here"),
    )
    runner.database = "postgresql"
    assert runner.step("database", runner.create_database)
    step = runner.result.steps[-1]
    assert step.skipped
    assert step.detail == "no PostgreSQL server: no server binaries here"
    report = as_json([runner.result])
    assert report["skipped_steps"] == 1
    assert report["cells"][0]["steps"][0]["skipped"] is True


def test_without_a_server_in_ci_the_database_step_fails():
    policy = PostgresPolicy(reason="no server binaries here", required=True)
    with pytest.raises(StepFailed, match="CI is set"):
        policy.server()
    with pytest.raises(StepSkipped):
        PostgresPolicy(reason="none").server()


def test_the_smoke_header_says_where_databases_come_from():
    assert "SKIPPED" in PostgresPolicy(reason="x").describe()
    assert "FAIL" in PostgresPolicy(reason="x", required=True).describe()


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@needs_binaries
def test_a_throw_away_server_serves_databases_then_is_stopped_and_removed(tmp_path):
    """As root it runs as the `postgres` user (initdb refuses root)."""
    work = tmp_path / "work"
    work.mkdir()
    policy = PostgresPolicy(bindir=BINARIES, folder=work / "postgres")
    try:
        server = policy.server()
        assert policy.server() is server  # started once, shared by the cells
        url = server.create_database("smoke_test")
        assert server.sql("SELECT current_user") == "postgres"
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert _accepts(port)
        server.drop_database(url)
    finally:
        policy.close()
    assert not _accepts(port)
    assert not (work / "postgres").exists()
    with pytest.raises(StepFailed, match="interrupted"):
        policy.server()  # no server starts after the run ended


def test_no_containers_is_refused_in_ci(runner, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = runner.invoke(app, ["smoke", "-f", "flask", "--quick", "--no-containers"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --no-containers: CI is set, where the container step may not be skipped"
    )


@pytest.mark.e2e
@needs_binaries
def test_ctrl_c_stops_and_removes_the_throw_away_server():
    # A work folder the `postgres` user can reach when run as root (pytest's is private).
    work = Path(tempfile.mkdtemp(prefix="webstarter-test-"))
    work.chmod(0o755)
    try:
        _interrupt_a_postgresql_cell(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _interrupt_a_postgresql_cell(work: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "WEBSTARTER_POSTGRES_URL")}
    smoke = subprocess.Popen(
        [
            *(sys.executable, "-m", "webstarter", "smoke", "-f", "flask"),
            *("-o", "database=postgresql", "--no-containers", "--workdir", str(work)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 180
    while not list(work.glob("*/*/logs/*migrate.log")):  # the server is up
        assert time.monotonic() < deadline, "no migration started"
        assert smoke.poll() is None, smoke.stdout.read()
        time.sleep(0.05)
    assert list(work.glob("*/postgres/data"))
    smoke.send_signal(signal.SIGINT)
    output, _ = smoke.communicate(timeout=60)
    assert smoke.returncode == 130, output
    assert "Traceback" not in output
    time.sleep(0.5)
    assert processes_under(work) == []
    assert not list(work.glob("*/postgres"))
