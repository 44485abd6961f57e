"""Shared fixtures: a CLI runner, the repository's template root, and git identity isolation."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from webstarter.resources import template_root

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def templates() -> Path:
    return template_root()


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Tests never read or write the developer's own git config or caches."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    return home


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes (git's own folder aside: status refreshes its
    index), to prove that nothing changed."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def processes_under(folder: Path) -> list[str]:
    """Processes whose working directory or command line points into `folder` (what an
    interrupted run must not leave behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in cwd or str(folder) in cmdline:
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def interrupt_leaves_nothing(process: subprocess.Popen[str], work: Path, said: str) -> None:
    """Ctrl-C `process`: it must exit 130 with `said` and no traceback, and leave no process
    running under `work`."""
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 130, output
    assert said in output
    assert "Traceback" not in output
    time.sleep(0.5)
    assert processes_under(work) == []
