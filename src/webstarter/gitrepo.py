"""git as webstarter uses it: one runner for every call, the initial commit of new projects,
identity lookups."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the user's git quietly; the caller reads returncode, stdout and stderr."""
    return subprocess.run(  # noqa: S603 - git from PATH, arguments built here
        ["git", *args],  # noqa: S607 - the user's git, as they would run it
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def available() -> bool:
    """Is a git executable on PATH?"""
    return shutil.which("git") is not None


def config_value(key: str) -> str:
    """A git config value (empty when unset or when git is missing)."""
    if not available():
        return ""
    return git("config", "--get", key).stdout.strip()


def inside_work_tree(path: Path) -> bool:
    """Is `path` (an existing folder) already inside some git work tree?"""
    return available() and git("rev-parse", "--is-inside-work-tree", cwd=path).returncode == 0


def init_and_commit(path: Path, message: str, author: str = "", email: str = "") -> None:
    """`git init` + one commit of everything; an identity is borrowed only if none is set."""
    identity: list[str] = []
    if not config_value("user.name"):
        identity += ["-c", f"user.name={author or 'webstarter'}"]
    if not config_value("user.email"):
        identity += ["-c", f"user.email={email or 'webstarter@localhost'}"]
    steps = {
        "init": ["init", "--quiet", "--initial-branch=main"],
        "add": ["add", "--all"],
        "commit": [*identity, "commit", "--quiet", "--no-verify", "--message", message],
    }
    for step, args in steps.items():
        result = git(*args, cwd=path)
        if result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()
            raise RuntimeError(f"git {step} failed: {lines[-1] if lines else 'no output'}")
