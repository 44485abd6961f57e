"""Real end-to-end runs: every framework is generated with its defaults, installed into a
fresh venv, linted, tested and booted under each production server, which is probed over
loopback and stopped with SIGTERM. Nothing here is mocked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from webstarter.catalog import catalog

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
        assert expected <= set(steps), key
        assert all(step["ok"] for step in steps.values()), key
        for server in framework.commands.servers:
            assert "6 probes passed" in steps[f"serve:{server}"]["detail"], (key, server)
        assert " passed" in steps["test"]["detail"]
    assert "5 passed, 0 failed" in result.stdout


def test_starters_also_install_with_plain_pip(tmp_path):
    """The contract says pip *and* uv: smoke one starter through venv + pip."""
    result, report = smoke(tmp_path, "--quick", "--pip", "-f", "flask", "-f", "bottle")
    assert result.returncode == 0, result.stdout[-4000:]
    assert all(cell["steps"][1]["detail"] == "pip" for cell in report["cells"])
