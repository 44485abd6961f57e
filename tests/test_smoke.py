"""`webstarter smoke` as a harness: bad input is refused up front, and a broken template
fails its cell (named, with the failing step and its log) without crashing the run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from conftest import interrupt_leaves_nothing

from webstarter.cli import app


@pytest.fixture
def broken_templates(templates, tmp_path):
    """A fork of the templates whose Flask starter no longer renders, and whose Bottle
    starter renders a pyproject.toml that cannot be installed."""
    fork = tmp_path / "fork"
    shutil.copytree(templates, fork)
    (fork / "flask" / "BROKEN.md.jinja").write_text("{% if %}\n")
    (fork / "bottle" / "pyproject.toml.jinja").write_text("[project\nname = 'x'\n")
    return fork


def test_broken_templates_fail_their_cells_with_step_and_log(runner, broken_templates, tmp_path):
    report, junit = tmp_path / "smoke.json", tmp_path / "smoke.xml"
    result = runner.invoke(
        app,
        [
            "smoke",
            "--template",
            str(broken_templates),
            "-f",
            "flask",
            "-f",
            "bottle",
            "--quick",
            "--jobs",
            "2",
            "--json",
            str(report),
            "--junit",
            str(junit),
            "--workdir",
            str(tmp_path / "work"),
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text())
    assert data["passed"] == 0
    assert data["failed"] == 2
    cells = {cell["cell"]: cell for cell in data["cells"]}
    assert cells["flask"]["failed_step"] == "generate"
    assert cells["bottle"]["failed_step"] == "install"
    assert "FAIL   flask at generate" in result.output
    assert "last lines of" in result.output
    assert "0 passed, 2 failed" in result.output
    suites = ET.parse(junit).getroot()
    assert [suite.get("name") for suite in suites] == ["flask", "bottle"]
    assert suites[0].find("testcase/failure") is not None


SMOKE_BAD_INPUT = [
    (["-f", "rails"], "unknown framework 'rails'"),
    (["--option", "colour=red"], "no such question"),
    (["--option", "license=WTFPL"], "not one of MIT"),
    (["--option", "license"], "is not KEY=VALUE"),
    (["--json", "/proc/nope/report.json"], "cannot write report"),
    (["--junit", "/"], "is a folder"),
    (["--template", "/tmp"], "holds no copier.yml"),
    (["-f", "flask", "--option", "django_admin=false"], "no cell to run"),
]


@pytest.mark.parametrize(
    ("args", "message"), SMOKE_BAD_INPUT, ids=[" ".join(a) for a, _ in SMOKE_BAD_INPUT]
)
def test_bad_smoke_input_is_exit_2_before_any_cell(runner, args, message):
    result = runner.invoke(app, ["smoke", *args])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert message in result.output


def test_jobs_must_be_positive(runner):
    result = runner.invoke(app, ["smoke", "--jobs", "0"])
    assert result.exit_code == 2


@pytest.mark.e2e
def test_ctrl_c_stops_every_child_process_and_server(tmp_path):
    work = tmp_path / "work"
    smoke = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "webstarter",
            "smoke",
            "-f",
            "flask",
            "-f",
            "bottle",
            "--quick",
            "--workdir",
            str(work),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(work.glob("*/*/logs/*serve-gunicorn.log")):  # a server is booting
        assert time.monotonic() < deadline, "no server started"
        assert smoke.poll() is None, smoke.stdout.read()
        time.sleep(0.05)
    interrupt_leaves_nothing(smoke, work, "interrupted; every cell and server was stopped")


def test_no_free_port_is_exit_2(runner, monkeypatch):
    """Without a free loopback port no server can boot: refuse before any cell runs."""
    import webstarter.smoke.plan as smoke_plan
    from webstarter.errors import NoFreePort

    def exhausted(host: str = "127.0.0.1") -> int:
        raise NoFreePort(f"no free port on {host}: Address already in use")

    monkeypatch.setattr(smoke_plan, "free_port", exhausted)
    result = runner.invoke(app, ["smoke", "-f", "flask", "--quick"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: no free port on 127.0.0.1: Address already in use"
