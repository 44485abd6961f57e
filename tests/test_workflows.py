"""GitHub Actions workflows, validated offline against check-jsonschema's vendored schema:
the repository's own, and the one every generated starter ships."""

from __future__ import annotations

import os
import re
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


def test_repository_workflow_updates_every_framework_from_the_previous_release():
    """Each smoke job also runs its framework's quick cell `--from previous`, after the fresh
    matrix and even when that failed, with reports of their own."""
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["smoke"]["steps"]
    runs = [" ".join(step.get("run", "").split()) for step in steps]
    fresh = next(i for i, run in enumerate(runs) if run.startswith("webstarter smoke"))
    start = "webstarter smoke --framework ${{ matrix.framework }} --quick --from previous"
    updated = next(i for i, run in enumerate(runs) if run.startswith(start))
    assert updated > fresh
    assert steps[updated]["if"] == "success() || failure()"
    assert "--json reports/smoke-from-previous-${{ matrix.framework }}.json" in runs[updated]


def test_ci_script_runs_the_quick_matrix_from_the_previous_release():
    script = (REPO / ".ci" / "run").read_text()
    fresh = script.index("webstarter smoke --jobs 2")
    updated = script.index("webstarter smoke --quick --from previous --jobs 2")
    assert updated > fresh
    assert "|| status=$?" in script[updated:]
    assert script.rstrip().endswith('exit "$status"')


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


# The template-update workflow every starter ships -----------------------------------------

UPDATE_WORKFLOW = ".github/workflows/template-update.yml"


@pytest.fixture(scope="module")
def update_workflow(tmp_path_factory) -> Path:
    from copier import run_copy

    from webstarter.resources import template_root

    dest = tmp_path_factory.mktemp("wf") / "svc"
    run_copy(str(template_root()), dest, data={"framework": "flask"}, defaults=True,
             unsafe=True, quiet=True)  # fmt: skip
    return dest / UPDATE_WORKFLOW


@pytest.mark.parametrize("framework", list(catalog()))
def test_generated_template_update_workflows_are_valid(templates, tmp_path, framework):
    from copier import run_copy

    run_copy(str(templates), tmp_path / "svc", data={"framework": framework}, defaults=True,
             unsafe=True, quiet=True)  # fmt: skip
    result = validate(tmp_path / "svc" / UPDATE_WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_update_workflow_is_weekly_least_privilege_and_pinned(update_workflow):
    text = update_workflow.read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert len(triggers["schedule"]) == 1
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["check"]["permissions"] == {"contents": "read"}
    assert jobs["update"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["update"]["if"] == "needs.check.outputs.status == 'behind'"
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", action), action
    runs = "\n".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    assert runs.count("python -m pip install --upgrade webstarter") == 2
    pushes = [line for line in runs.splitlines() if "git push" in line]
    assert pushes == [
        '          git push --quiet --force-with-lease="refs/heads/$BRANCH" origin '
        '"refs/heads/$BRANCH:refs/heads/$BRANCH"'.strip()
    ]
    assert "${{" not in runs  # expressions reach scripts only through env (no injection)


def test_template_update_workflow_steps_run_against_a_real_remote(update_workflow, tmp_path):
    """The workflow's own shell steps, in order, against a bare repository standing in for
    GitHub and a recording `gh`: behind -> branch pushed and a pull request created; a second
    run while that pull request already brings the newest version changes nothing."""
    from webstarter.releases import render_release
    from webstarter.template_source import installed_version

    origin = tmp_path / "origin.git"
    seed = tmp_path / "seed"
    render_release("0.1.0", seed, {"framework": "flask", "project_name": "Svc"})
    sh(tmp_path, "git", "clone", "-q", "--bare", str(seed), str(origin))
    main = sh(origin, "git", "rev-parse", "refs/heads/main")
    log = tmp_path / "gh.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        'if [ "$1 $2" = "pr list" ]; then echo "${FAKE_PR:-}"; fi\n'
    )
    gh.chmod(0o755)
    venv_bin = Path(sys.executable).parent
    workflow = yaml.safe_load(update_workflow.read_text())

    def run_workflow(pr_number: str) -> dict[str, dict[str, str]]:
        checkout = tmp_path / f"runner-{pr_number or 'new'}"
        sh(tmp_path, "git", "clone", "-q", str(origin), str(checkout))
        temp = tmp_path / f"temp-{pr_number or 'new'}"
        temp.mkdir()
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{venv_bin}:{os.environ['PATH']}",
            "RUNNER_TEMP": str(temp),
            "FAKE_PR": pr_number,
            **workflow["env"],
        }
        outputs: dict[str, dict[str, str]] = {}
        context = {"needs.check.outputs": {}, "github.ref_name": "main", "github.token": "t"}
        for name in ("check", "update"):
            job = workflow["jobs"][name]
            if "if" in job and not evaluate(job["if"], context):
                continue
            job_env = {k: resolve(v, context) for k, v in job.get("env", {}).items()}
            for step in job["steps"]:
                if "run" not in step or step.get("name", "").startswith("Install"):
                    continue  # actions/* and the pip install: this venv's webstarter stands in
                if "if" in step and not evaluate(step["if"], context):
                    continue
                out = temp / "output"
                out.write_text("")
                step_env = {k: resolve(v, context) for k, v in step.get("env", {}).items()}
                result = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                    cwd=checkout,
                    env={**env, **job_env, **step_env, "GITHUB_OUTPUT": str(out)},
                    capture_output=True,
                    text=True,
                )
                assert result.returncode == 0, step["run"] + result.stdout + result.stderr
                values = dict(
                    line.split("=", 1) for line in out.read_text().splitlines() if "=" in line
                )
                if "id" in step:
                    outputs[step["id"]] = values
                    context[f"steps.{step['id']}.outputs"] = values
            if name == "check":
                context["needs.check.outputs"] = outputs["check"]
        return outputs

    first = run_workflow("")
    new = installed_version()
    assert first["check"] == {"status": "behind", "latest": new}
    assert first["update"] == {"result": "updated"}
    pushed = sh(origin, "git", "rev-parse", "refs/heads/webstarter/template-update")
    assert sh(origin, "git", "rev-parse", f"{pushed}~1") == main
    assert sh(origin, "git", "rev-parse", "refs/heads/main") == main  # never pushed to main
    answers = sh(origin, "git", "show", f"{pushed}:.copier-answers.yml")
    assert f"_commit: v{new}" in answers
    calls = log.read_text().splitlines()
    assert calls[0].startswith("pr list --head webstarter/template-update --base main")
    assert calls[1].startswith(
        "pr create --head webstarter/template-update --base main "
        f"--title Update the project template from v0.1.0 to v{new} --body-file"
    )

    second = run_workflow("7")  # pull request #7 is open and already brings `new`
    assert second["open"] == {"number": "7", "fresh": "true"}
    assert "update" not in second
    assert sh(origin, "git", "rev-parse", "refs/heads/webstarter/template-update") == pushed
    assert [call.split()[:2] for call in log.read_text().splitlines()[2:]] == [["pr", "list"]]


def sh(cwd: Path, *args: str) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
OPERAND = re.compile(r"(steps\.\w+\.outputs|needs\.\w+\.outputs)\.(\w+)|'([^']*)'")


def evaluate(condition: str, context: dict) -> bool:
    """The `if:` expressions this workflow uses: outputs compared with ==, != and ||."""
    python = OPERAND.sub(
        lambda m: repr(m[3] if m[3] is not None else context.get(m[1], {}).get(m[2], "")),
        condition,
    )
    return bool(eval(python.replace("||", " or ")))  # noqa: S307 - the test's own workflow


def resolve(value: str, context: dict) -> str:
    """`${{ ... }}` in env values: outputs, `secrets.X || github.token`, github.ref_name."""

    def one(match: re.Match[str]) -> str:
        for option in match[1].split("||"):
            option = option.strip()
            if option.startswith(("steps.", "needs.")):
                prefix, key = option.rsplit(".", 1)
                return context.get(prefix, {}).get(key, "")
            if option in context:
                return context[option]
        return ""

    return EXPRESSION.sub(one, str(value))
