"""`webstarter new`: what it writes, what it refuses, and that a refusal leaves the disk alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import tree

from webstarter.cli import app

BASE = ["--defaults", "--no-git"]


def new(runner, *args):
    return runner.invoke(app, ["new", *map(str, args)])


def test_new_flask_with_defaults_writes_a_committed_project(runner, tmp_path):
    dest = tmp_path / "shop-api"
    result = new(runner, dest, "-f", "flask", "--defaults")
    assert result.exit_code == 0, result.output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["project_name"] == "shop-api"
    assert answers["package_name"] == "shop_api"
    assert "frameworks" not in answers
    assert "reserved_names" not in answers
    log = subprocess.run(["git", "log", "--format=%s"], cwd=dest, capture_output=True, text=True)
    assert log.stdout.startswith("Initial commit: Flask starter from webstarter")
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True
    )
    assert status.stdout == ""
    assert "Next steps:" in result.output
    assert "pip install -e '.[dev]'" in result.output
    assert "flask --app shop_api run --debug --port 8000" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".webstarter-")]


def test_no_git_skips_the_repository(runner, tmp_path):
    dest = tmp_path / "plain"
    assert new(runner, dest, "-f", "bottle", *BASE).exit_code == 0
    assert not (dest / ".git").exists()
    assert (dest / "pyproject.toml").is_file()


def test_dest_defaults_to_the_project_name(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "-f", "flask", *BASE, "--data", "project_name=orders"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "orders" / "README.md").is_file()


def test_pretend_lists_files_and_writes_nothing(runner, tmp_path):
    dest = tmp_path / "dry"
    result = new(runner, dest, "-f", "flask", "--defaults", "--pretend")
    assert result.exit_code == 0, result.output
    assert f"would create  {dest / 'pyproject.toml'}" in result.output
    assert "nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_answers_from_data_reach_the_files(runner, tmp_path):
    dest = tmp_path / "svc"
    result = new(
        runner,
        dest,
        "-f",
        "flask",
        *BASE,
        "-d",
        "package_name=billing",
        "-d",
        "license=Apache-2.0",
        "-d",
        "author_name=Ada Lovelace",
        "-d",
        "author_email=ada@example.org",
        "-d",
        "description=Bills things.",
    )
    assert result.exit_code == 0, result.output
    pyproject = (dest / "pyproject.toml").read_text()
    assert 'license = "Apache-2.0"' in pyproject
    assert 'authors = [{ name = "Ada Lovelace", email = "ada@example.org" }]' in pyproject
    assert "Apache License" in (dest / "LICENSE").read_text()
    assert (dest / "src" / "billing").is_dir()


def test_proprietary_license_writes_no_license_file(runner, tmp_path):
    dest = tmp_path / "closed"
    assert new(runner, dest, "-f", "flask", *BASE, "-d", "license=proprietary").exit_code == 0
    assert not (dest / "LICENSE").exists()
    assert '"Private :: Do Not Upload"' in (dest / "pyproject.toml").read_text()


def test_force_adds_files_and_never_overwrites_the_users(runner, tmp_path):
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine\n")
    (dest / "README.md").write_text("my own readme\n")
    refused = new(runner, dest, "-f", "flask", *BASE)
    assert refused.exit_code == 2
    assert "not empty" in refused.output
    assert "--force" in refused.output
    result = new(runner, dest, "-f", "flask", *BASE, "--force")
    assert result.exit_code == 0, result.output
    assert (dest / "notes.txt").read_text() == "mine\n"
    assert (dest / "README.md").read_text() == "my own readme\n"
    assert "kept your README.md" in result.output
    assert (dest / "pyproject.toml").is_file()


def test_generating_inside_an_existing_repository_does_not_nest_one(runner, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = new(runner, tmp_path / "svc", "-f", "flask", "--defaults")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "svc" / ".git").exists()
    assert "already inside a git repository" in result.output


BAD_INPUT = [
    (["-f", "flsk", "--defaults"], "Did you mean 'flask'?"),
    (["-f", "flask", "--defaults", "-d", "package_name=123abc"], "not a valid Python package"),
    (["-f", "flask", "--defaults", "-d", "package_name=class"], "is a Python keyword"),
    (["-f", "flask", "--defaults", "-d", "package_name=my-app"], "not a valid Python package"),
    (["-f", "flask", "--defaults", "-d", "package_name=django"], "shadow the 'django' package"),
    (["-f", "flask", "--defaults", "-d", "package_name=json"], "standard-library module"),
    (["-f", "flask", "--defaults", "-d", "project_name=test"], "'test' would shadow the standard"),
    (["-f", "flask", "--defaults", "-d", "package_name=distutils"], "standard-library module"),
    (["-f", "flask", "--defaults", "-d", "package_name=annotationlib"], "standard-library"),
    (["-f", "flask", "--defaults", "-d", "package_name=café"], "not a valid Python package"),
    (["-f", "flask", "--defaults", "-d", "package_name="], "must not be empty"),
    (["-f", "flask", "--defaults", "-d", "colour=blue"], "no such question"),
    (["-f", "flask", "--defaults", "-d", "colour"], "is not KEY=VALUE"),
    (["-f", "flask", "--defaults", "-d", "license=WTFPL"], "Invalid choice for 'license'"),
    (["-f", "flask", "--defaults", "-d", "author_email=nope"], "not a valid email"),
    (["-f", "flask", "--defaults", "-d", "database=mysql"], "Invalid choice for 'database'"),
    (["-f", "django", "--defaults", "-d", "django_admin=maybe"], "answer true or false"),
    (["-f", "flask", "--defaults", "-d", "copyright_year=soon"], "copyright_year"),
    (["-f", "flask", "--defaults", "-d", "framework=django"], "contradicts"),
    (["-f", "flask"], "no terminal to ask for: project_name, package_name"),
    (["--defaults"], "no terminal to ask for: framework; pass --framework NAME"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(runner, tmp_path, args, message):
    result = new(runner, tmp_path / "dest", *args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_dest_that_is_a_file_is_refused(runner, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    result = new(runner, target, "-f", "flask", *BASE)
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.output
    assert target.read_text() == "keep me"


def test_dest_under_a_file_is_refused(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = new(runner, blocker / "svc", "-f", "flask", *BASE)
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert tree(tmp_path) == {"file": b"x"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_dest_is_refused(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = new(runner, locked / "svc", "-f", "flask", *BASE)
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2
    assert "permission denied" in result.output


def test_read_only_file_system_is_refused(runner):
    result = new(runner, "/proc/webstarter-test/svc", "-f", "flask", *BASE)
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot ")


def test_ctrl_c_during_render_leaves_nothing(tmp_path):
    """A real interrupt (SIGINT) mid-render: exit 130, one line, no folder, no staging dir."""
    code = (
        "import os, signal, webstarter.generate as g\n"
        "real = g.render\n"
        "def render(*a, **k):\n"
        "    real(*a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "g.render = render\n"
        "from webstarter.cli import app\n"
        f"app(['new', {str(tmp_path / 'svc')!r}, '-f', 'flask', '--defaults', '--no-git'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip() == "error: interrupted; nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_answers_file_reads_as_copier_writes_it_from_the_history(runner, tmp_path):
    """`new` renders from the installed folder; its answers file must be exactly what copier
    writes when rendering the same release from the template history (what update replays)."""
    from copier import run_copy

    from webstarter.template_source import canonical_source, installed_version

    ours = tmp_path / "ours"
    assert new(runner, ours, "-f", "pyramid", *BASE, "-d", "author_name=A").exit_code == 0
    with canonical_source() as source:
        run_copy(
            source,
            tmp_path / "theirs" / "ours",
            vcs_ref=f"v{installed_version()}",
            data={"framework": "pyramid", "author_name": "A", "author_email": ""},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
    theirs = tmp_path / "theirs" / "ours"
    assert (ours / ".copier-answers.yml").read_text() == (
        theirs / ".copier-answers.yml"
    ).read_text()
    assert tree(ours) == tree(theirs)
