"""Real end-to-end runs: every framework is generated with its defaults, installed into a
fresh venv, linted, tested and booted under each production server, which is probed over
loopback and stopped with SIGTERM. Nothing here is mocked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from webstarter.catalog import catalog
from webstarter.smoke.containers import find_docker

pytestmark = pytest.mark.e2e


def smoke(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = tmp_path / "smoke.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "webstarter",
            "smoke",
            "--json",
            str(report),
            "--workdir",
            str(tmp_path / "work"),
            *args,
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=1800,
    )
    return result, json.loads(report.read_text())


def test_every_framework_generates_installs_tests_and_serves(tmp_path):
    result, report = smoke(tmp_path, "--quick", "--jobs", "2")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    cells = {cell["cell"]: cell for cell in report["cells"]}
    assert set(cells) == set(catalog())
    for key, framework in catalog().items():
        steps = {step["name"]: step for step in cells[key]["steps"]}
        expected = {"generate", "install", "lint", "test"}
        expected |= {f"serve:{server}" for server in framework.commands.servers}
        expected |= {"container"}  # docker is on by default: built and run, or skipped
        assert expected <= set(steps), key
        container = steps["container"]
        if find_docker()[0] is not None or os.environ.get("CI"):
            assert not container["skipped"], container["detail"]
            assert container["metrics"]["uid"] != 0
            assert container["metrics"]["exit_code"] in (0, 143)
        else:
            assert container["skipped"]
            assert "no Docker" in container["detail"]
        assert all(step["ok"] for step in steps.values()), key
        for server in framework.commands.servers:
            detail = steps[f"serve:{server}"]["detail"]  # the default database is sqlite:
            assert int(detail.split("; ")[1].split()[0]) >= 7, (key, server, detail)
        assert "migrate" in steps, key
        assert " passed" in steps["test"]["detail"]
    assert "5 passed, 0 failed" in result.stdout


def test_starters_also_install_with_plain_pip(tmp_path):
    """The contract says pip *and* uv: smoke one starter through venv + pip."""
    result, report = smoke(tmp_path, "--quick", "--pip", "-f", "flask", "-f", "bottle")
    assert result.returncode == 0, result.stdout[-4000:]
    steps = [step for cell in report["cells"] for step in cell["steps"]]
    assert [step["detail"] for step in steps if step["name"] == "install"] == ["pip", "pip"]


def _start_local_postgres() -> str | None:
    """Outside CI, try the machine's own PostgreSQL (Debian's cluster tools, as root)."""
    if os.geteuid() != 0 or shutil.which("pg_lsclusters") is None or not shutil.which("runuser"):
        return None
    subprocess.run(["service", "postgresql", "start"], capture_output=True)
    role = "webstarter_tests"

    def psql(sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-Atq", "-c", sql],
            capture_output=True,
            text=True,
        )

    exists = psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
    if exists.returncode != 0:
        return None
    if exists.stdout.strip() != "1":
        psql(f"CREATE ROLE {role} LOGIN CREATEDB PASSWORD '{role}'")
    return f"postgresql://{role}:{role}@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def postgres_url() -> str:
    url = os.environ.get("WEBSTARTER_POSTGRES_URL") or _start_local_postgres()
    if url:
        return url
    message = (
        "NO POSTGRESQL SERVER: set WEBSTARTER_POSTGRES_URL to an administrator URL; the "
        "postgresql cells of the database test did not run"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)  # listed in pytest's summary (-ra)


def test_every_database_option_of_every_framework(tmp_path, postgres_url):
    """none, sqlite and postgresql (a real server) for all five: migrate, serve, create a note
    through the API, read it through the API and the HTML page, restart, read it again."""
    result, report = smoke(
        tmp_path,
        "-o",
        "database=sqlite",
        "-o",
        "database=postgresql",
        "-o",
        "database=none",
        "--jobs",
        "2",
        "--postgres-url",
        postgres_url,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    cells = {cell["cell"]: cell for cell in report["cells"]}
    assert len(cells) == 3 * len(catalog())
    for key in catalog():
        for database in ("sqlite", "postgresql"):
            steps = {step["name"]: step for step in cells[f"{key}[database={database}]"]["steps"]}
            assert "migrate" in steps, (key, database)
            first_server = next(name for name in steps if name.startswith("serve:"))
            detail = steps[first_server]["detail"]
            assert "probes passed" in detail, (key, database)
            assert int(detail.split("; ")[1].split()[0]) >= 6 + 8 + 1, (key, database, detail)
        plain = {step["name"] for step in cells[f"{key}[database=none]"]["steps"]}
        assert "migrate" not in plain
