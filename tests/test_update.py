"""`webstarter update` and `check`, for real: wheels N and N+1 are built from a copy of this
repository, installed into a venv, and a generated project is updated offline (no network
protocol allowed) with an empty cache. Nothing of copier or git is mocked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import tree
from releases import build_wheel, copy_checkout, cut_next_release, git

from webstarter.cli import app
from webstarter.smoke.venvs import find_uv, install_project
from webstarter.template_source import CANONICAL_URL

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Wheels N and N+1 of webstarter; N+1 changes two template files, renames an answer
    with a copier migration, and rewrites one README line that a user will also edit."""
    root = tmp_path_factory.mktemp("releases")
    repo = copy_checkout(root / "repo")
    version = re.search(r'^version = "(.+)"', (repo / "pyproject.toml").read_text(), re.M)[1]
    wheel_n = build_wheel(repo, root / "n")
    new_version = cut_next_release(repo, version)
    wheel_n1 = build_wheel(repo, root / "n1")
    return {"root": root, "repo": repo, "n": (version, wheel_n), "n1": (new_version, wheel_n1)}


@pytest.fixture
def tool(tmp_path):
    """A venv with webstarter installed from a wheel, run with its own empty cache."""
    venv = tmp_path / "tool"
    subprocess.run(
        [find_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True
    )
    cache = tmp_path / "cache"
    env = {**os.environ, "WEBSTARTER_CACHE_DIR": str(cache), "GIT_ALLOW_PROTOCOL": "file"}

    def install(wheel: Path) -> None:
        subprocess.run(
            [
                find_uv(),
                "pip",
                "install",
                "--quiet",
                "--python",
                str(venv / "bin" / "python"),
                "--reinstall-package",
                "webstarter",
                str(wheel),
            ],
            check=True,
            capture_output=True,
        )
        shutil.rmtree(cache, ignore_errors=True)  # a machine that never saw version N

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / "webstarter"), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    return install, run


def generate(run, tmp_path: Path, name: str) -> Path:
    result = run("new", name, "-f", "flask", "--defaults", "--data", "author_email=a@b.org")
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def test_update_keeps_user_edits_and_brings_template_changes(releases, tool, tmp_path):
    install, run = tool
    (old, wheel_n), (new, wheel_n1) = releases["n"], releases["n1"]
    install(wheel_n)
    project = generate(run, tmp_path, "svc")
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("# svc\n", "# svc: the orders service\n", 1))
    api = project / "src" / "svc" / "api.py"
    api.write_text(api.read_text() + "\n\n# Our own note, kept across updates.\n")
    git(project, "commit", "-q", "-am", "our edits")

    install(wheel_n1)
    behind = run("check", "--json", cwd=project)
    assert behind.returncode == 1
    assert '"status": "behind"' in behind.stdout
    # The CHANGELOG read from the installed wheel: N+1 has no heading yet, so [Unreleased].
    assert [change["version"] for change in json.loads(behind.stdout)["changes"]] == [new]
    result = run("update", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr

    text = readme.read_text()
    assert text.startswith("# svc: the orders service\n")  # the user's edit
    assert "- pip 23 or newer, or [uv]" in text  # template change in the same file
    assert "[Makefile]" in (project / ".editorconfig").read_text()  # template change elsewhere
    assert "# Our own note, kept across updates." in api.read_text()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{new}"
    assert answers["contact_email"] == "a@b.org"  # renamed by the copier migration
    assert "author_email" not in answers
    assert 'email = "a@b.org"' in (project / "pyproject.toml").read_text()
    assert f"from v{old} to v{new}" in result.stdout
    git(project, "commit", "-q", "-am", "update")
    assert run("check", cwd=project).returncode == 0

    venv = install_project(project, dict(os.environ), tmp_path / "install.log", timeout=600)
    tests = subprocess.run(
        [str(venv / "bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-2000:]


def test_conflicts_are_marked_listed_and_exit_1(releases, tool, tmp_path):
    install, run = tool
    install(releases["n"][1])
    project = generate(run, tmp_path, "svc")
    readme = project / "README.md"
    mine = "- pip, or [uv](https://docs.astral.sh/uv/) (we standardised on uv)"
    readme.write_text(
        readme.read_text().replace("- pip, or [uv](https://docs.astral.sh/uv/)", mine)
    )
    git(project, "commit", "-q", "-am", "our line")
    install(releases["n1"][1])
    result = run("update", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflict README.md" in result.stdout
    text = readme.read_text()
    assert "<<<<<<<" in text
    assert ">>>>>>>" in text
    assert mine in text
    assert "pip 23 or newer" in text


def test_plain_copier_update_works_when_the_canonical_url_is_reachable(releases, tool, tmp_path):
    install, run = tool
    install(releases["n"][1])
    project = generate(run, tmp_path, "svc")
    install(releases["n1"][1])
    published_n1 = tmp_path / "published.git"  # stands in for the public template repository
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(find_bundle(tmp_path)), str(published_n1)], check=True
    )
    env = {
        **os.environ,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{published_n1}.insteadOf",
        "GIT_CONFIG_VALUE_0": CANONICAL_URL,
        "COPIER_CACHE_DIR": str(tmp_path / "copier-cache"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == f"v{releases['n1'][0]}"


def find_bundle(tmp_path: Path) -> Path:
    """The templates.bundle inside the tool venv's installed webstarter."""
    return next((tmp_path / "tool").glob("lib/python*/site-packages/webstarter/templates.bundle"))


def test_bundle_is_deterministic(releases, tmp_path):
    from webstarter.history import build_bundle

    first = build_bundle(releases["repo"], tmp_path / "a.bundle")
    second = build_bundle(releases["repo"], tmp_path / "b.bundle")
    assert [r.version for r in first] == [releases["n"][0], releases["n1"][0]]
    assert first == second
    assert (tmp_path / "a.bundle").read_bytes() == (tmp_path / "b.bundle").read_bytes()
    heads = [
        subprocess.run(
            ["git", "bundle", "list-heads", str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in ("a.bundle", "b.bundle")
    ]
    assert heads[0] == heads[1]
    assert f"refs/tags/v{releases['n'][0]}" in heads[0]


# Bad input, against the source checkout's own templates ---------------------------------


@pytest.fixture
def project(runner, tmp_path):
    dest = tmp_path / "svc"
    result = runner.invoke(app, ["new", str(dest), "-f", "flask", "--defaults"])
    assert result.exit_code == 0, result.output
    return dest


def expect_refusal(runner, project: Path, args: list[str], message: str, code: int = 2) -> None:
    before = tree(project)
    result = runner.invoke(app, ["update", str(project), *args])
    assert result.exit_code == code, result.output
    assert result.output.strip().count("\n") == 0, result.output
    assert message in result.output
    assert tree(project) == before


def test_update_refuses_a_folder_that_is_not_a_git_repository(runner, project):
    shutil.rmtree(project / ".git")
    expect_refusal(runner, project, [], "is not a git repository")


def test_update_refuses_a_dirty_tree(runner, project):
    (project / "scratch.txt").write_text("wip")
    expect_refusal(runner, project, [], "uncommitted changes in scratch.txt")


def test_update_refuses_a_project_from_another_template(runner, project):
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(CANONICAL_URL, "gh:someone/else"))
    git(project, "commit", "-q", "-am", "other")
    expect_refusal(runner, project, [], "cannot fetch the template gh:someone/else")


def test_update_refuses_a_missing_answers_file(runner, project):
    git(project, "rm", "-q", ".copier-answers.yml")
    git(project, "commit", "-q", "-m", "no answers")
    expect_refusal(runner, project, [], "has no .copier-answers.yml")


def test_update_refuses_an_unknown_version(runner, project):
    expect_refusal(runner, project, ["--to", "42.0.0"], "unknown template version '42.0.0'")


def test_update_refuses_a_downgrade(runner, project):
    answers = project / ".copier-answers.yml"
    answers.write_text(re.sub(r"_commit: .*", "_commit: v99.0.0", answers.read_text()))
    git(project, "commit", "-q", "-am", "from the future")
    current = runner.invoke(app, ["--version"]).output.split()[-1]
    expect_refusal(runner, project, ["--to", current], "refusing to downgrade from v99.0.0")


def test_update_refuses_a_change_of_framework(runner, project):
    expect_refusal(
        runner,
        project,
        ["--data", "framework=django"],
        "refusing to change the framework from flask to django",
    )


def test_update_on_the_current_version_changes_nothing(runner, project):
    before = tree(project)
    result = runner.invoke(app, ["update", str(project)])
    assert result.exit_code == 0
    assert "already on template" in result.output
    assert tree(project) == before
    assert runner.invoke(app, ["check", str(project)]).exit_code == 0


def test_pretend_lists_changes_and_touches_nothing(releases, tool, tmp_path):
    install, run = tool
    install(releases["n"][1])
    project = generate(run, tmp_path, "svc")
    install(releases["n1"][1])
    before = tree(project)
    result = run("update", "--pretend", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "would update" in result.stdout
    assert "changed  .editorconfig" in result.stdout
    assert tree(project) == before


def test_conflict_rej_warns_and_writes_rej_files(releases, tool, tmp_path):
    install, run = tool
    install(releases["n"][1])
    project = generate(run, tmp_path, "svc")
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace(
            "- pip, or [uv](https://docs.astral.sh/uv/)", "- pip only, please"
        )
    )
    git(project, "commit", "-q", "-am", "our line")
    install(releases["n1"][1])
    result = run("update", "--conflict", "rej", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "warning: --conflict rej" in result.stdout
    assert "conflict README.md.rej" in result.stdout
    assert "- pip only, please" in (project / "README.md.rej").read_text()
