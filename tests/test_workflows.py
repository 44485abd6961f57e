"""GitHub Actions workflows, validated offline against check-jsonschema's vendored schema:
the repository's own, and the one every generated starter ships."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from webstarter.catalog import catalog

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    checker = shutil.which("check-jsonschema") or str(
        Path(sys.executable).parent / "check-jsonschema"
    )
    return subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
    )


def test_repository_workflow_is_valid_and_has_a_job_per_framework():
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    smoke = yaml.safe_load(WORKFLOW.read_text())["jobs"]["smoke"]
    assert smoke["strategy"]["matrix"]["framework"] == list(catalog())


def test_repository_workflow_runs_the_unit_tests_on_every_supported_python():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert jobs["tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    runs = [step.get("run", "") for step in jobs["tests"]["steps"]]
    assert 'pytest -m "not e2e"' in runs
    setup = [step for step in jobs["smoke"]["steps"] if "setup-python" in step.get("uses", "")]
    assert setup[0]["with"]["python-version"] == "3.11"  # smoke stays on the machines' Python


def test_an_invalid_workflow_is_caught(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text("name: CI\non: push\njobs:\n  test:\n    steps: []\n")  # no runs-on
    assert validate(broken).returncode != 0


@pytest.mark.parametrize("framework", list(catalog()))
def test_generated_workflows_are_valid(templates, tmp_path, framework):
    from copier import run_copy

    run_copy(
        str(templates),
        tmp_path / "svc",
        data={"framework": framework},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    result = validate(tmp_path / "svc" / ".github" / "workflows" / "ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr
