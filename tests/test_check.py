"""`webstarter check` as a CI gate: one exit code per answer (0 current, 1 behind, 3 ahead) and
2 for every error, `--json` with the versions and the CHANGELOG entries in between; projects of
third-party copier templates checked against their source's tags."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_external import FIXTURES, git_repo

from webstarter.changelog import changes_between
from webstarter.cli import app
from webstarter.releases import render_release
from webstarter.template_source import installed_version

NEW = installed_version()


def commit_all(project: Path, message: str) -> None:
    for args in (["add", "-A"], ["commit", "-qm", message]):
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@e.org", *args],
            cwd=project,
            check=True,
        )


@pytest.fixture
def current(runner, tmp_path) -> Path:
    dest = tmp_path / "svc"
    assert runner.invoke(app, ["new", str(dest), "-f", "bottle", "--defaults"]).exit_code == 0
    return dest


def check(runner, project: Path, *args: str):
    return runner.invoke(app, ["check", str(project), *args])


def test_current_exits_0(runner, current):
    result = check(runner, current, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "current"
    assert data["up_to_date"] is True
    assert (data["project"], data["latest"], data["installed"]) == (NEW, NEW, NEW)
    assert data["changes"] == []


def test_behind_exits_1_and_json_carries_the_changelog_in_between(runner, tmp_path):
    project = tmp_path / "svc"
    render_release("0.1.0", project, {"framework": "pyramid", "project_name": "Svc"})
    plain = check(runner, project)
    assert plain.exit_code == 1, plain.output
    assert f"behind: project on v0.1.0, newest template v{NEW}" in plain.output
    result = check(runner, project, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["status"], data["project"], data["latest"]) == ("behind", "0.1.0", NEW)
    assert [change["version"] for change in data["changes"]] == [NEW]
    expected = changes_between("0.1.0", NEW)[0].changes
    assert data["changes"][0]["changes"] == expected
    assert any("docker" in entry for entry in expected["Added"])
    assert not any("Starters for Django" in e for entries in expected.values() for e in entries)


def test_ahead_exits_3(runner, current):
    answers = current / ".copier-answers.yml"
    answers.write_text(re.sub(r"_commit: .*", "_commit: v99.0.0", answers.read_text()))
    result = check(runner, current)
    assert result.exit_code == 3, result.output
    assert f"ahead: project on v99.0.0, newer than v{NEW}; upgrade webstarter" in result.output


def test_errors_exit_2_never_1(runner, current, tmp_path):
    # Not a git repository: `update` could not update it, so `check` does not call it behind.
    copy = tmp_path / "copy"
    shutil.copytree(current, copy, ignore=shutil.ignore_patterns(".git"))
    answers = copy / ".copier-answers.yml"
    answers.write_text(re.sub(r"_commit: .*", "_commit: v0.1.0", answers.read_text()))
    result = check(runner, copy, "--json")
    assert result.exit_code == 2, result.output
    first = result.output.splitlines()[0]
    assert json.loads(first) == {
        "path": str(copy),
        "status": "error",
        "error": json.loads(first)["error"],
    }
    assert "is not a git repository" in first

    (current / ".copier-answers.yml").unlink()
    missing = check(runner, current)
    assert missing.exit_code == 2
    assert "has no .copier-answers.yml" in missing.output
    assert missing.output.strip().count("\n") == 0

    (current / ".copier-answers.yml").write_text("_src_path: [unclosed\n")
    broken = check(runner, current)
    assert broken.exit_code == 2
    assert "is not valid YAML" in broken.output

    assert runner.invoke(app, ["check", str(current), "--bogus"]).exit_code == 2


# Third-party copier templates, against their source's tags -------------------------------


@pytest.fixture
def third_party(runner, tmp_path) -> tuple[Path, Path]:
    """A project made at tag v1 of a local template repository that also has a v2."""
    repo = git_repo(FIXTURES / "copier-template", tmp_path / "template")
    project = tmp_path / "svc"
    made = runner.invoke(
        app, ["new", str(project), "--template", str(repo), "--ref", "v1", "--trust", "--defaults"]
    )
    assert made.exit_code == 0, made.output
    return repo, project


def test_third_party_project_behind_its_sources_newest_tag(runner, third_party):
    repo, project = third_party
    result = check(runner, project, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert (data["status"], data["project"], data["latest"]) == ("behind", "1", "2")
    assert data["installed"] is None
    assert data["source"] == str(repo)

    update = runner.invoke(app, ["update", str(project), "--trust"])
    assert update.exit_code == 0, update.output
    commit_all(project, "update")
    current = check(runner, project)
    assert current.exit_code == 0, current.output
    assert "up to date: template v2" in current.output

    # Pre-releases and tags that are not versions do not count, as for copier.
    for tag in ("v3.0rc1", "latest"):
        subprocess.run(["git", "tag", tag], cwd=repo, check=True)
    assert json.loads(check(runner, project, "--json").output)["status"] == "current"
    subprocess.run(["git", "tag", "v2.1"], cwd=repo, check=True)
    assert json.loads(check(runner, project, "--json").output)["latest"] == "2.1"


def test_third_party_project_past_the_newest_tag_is_ahead(runner, third_party):
    _, project = third_party
    answers = project / ".copier-answers.yml"
    answers.write_text(re.sub(r"_commit: .*", "_commit: v2-3-g0123abc", answers.read_text()))
    assert check(runner, project).exit_code == 3


def test_third_party_source_unreachable_is_one_line_exit_2(runner, third_party):
    repo, project = third_party
    shutil.rmtree(repo)
    result = check(runner, project)
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0, result.output
    assert "not a git repository" in result.output or "cannot reach" in result.output

    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    answers.write_text(re.sub(r"_src_path: .*", "_src_path: https://127.0.0.1:9/none.git", text))
    unreachable = check(runner, project)
    assert unreachable.exit_code == 2, unreachable.output
    assert "cannot reach the template source https://127.0.0.1:9/none.git" in unreachable.output
