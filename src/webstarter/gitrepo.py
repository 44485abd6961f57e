"""git as webstarter uses it: the one runner for every git call, the initial commit of new
projects, identity lookups."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from webstarter.errors import GitError
from webstarter.texts import last_line


def git(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input_: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the user's git quietly; the caller reads returncode, stdout and stderr. `env` is
    added to this process's environment."""
    return subprocess.run(  # noqa: S603 - git from PATH, arguments built here
        ["git", *args],  # noqa: S607 - the user's git, as they would run it
        cwd=cwd,
        capture_output=True,
        text=True,
        input=input_,
        check=False,
        env={**os.environ, **env} if env else None,
    )


def git_output(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input_: str | None = None,
    error: type[GitError] = GitError,
) -> str:
    """Run git and return its stdout, stripped; a failure raises `error` with git's last line."""
    result = git(*args, cwd=cwd, env=env, input_=input_)
    if result.returncode != 0:
        why = last_line(result.stderr or result.stdout)
        raise error(f"git {_subcommand(args)} failed: {why}")
    return result.stdout.strip()


def _subcommand(args: tuple[str, ...]) -> str:
    """`commit` in `git -c user.name=x commit ...`: what an error message names."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in ("-c", "-C") else rest[1:]
    return rest[0] if rest else "git"


def available() -> bool:
    """Is a git executable on PATH?"""
    return shutil.which("git") is not None


def config_value(key: str, cwd: Path | None = None) -> str:
    """A git config value, as seen in `cwd` (empty when unset or when git is missing)."""
    if not available():
        return ""
    return git("config", "--get", key, cwd=cwd).stdout.strip()


def identity(cwd: Path | None = None, author: str = "", email: str = "") -> list[str]:
    """`-c user.name=... -c user.email=...` for a commit, only for what git has no value for
    (a fresh CI runner has none)."""
    borrowed: list[str] = []
    if not config_value("user.name", cwd):
        borrowed += ["-c", f"user.name={author or 'webstarter'}"]
    if not config_value("user.email", cwd):
        borrowed += ["-c", f"user.email={email or 'webstarter@localhost'}"]
    return borrowed


def inside_work_tree(path: Path) -> bool:
    """Is `path` (an existing folder) already inside some git work tree?"""
    return available() and git("rev-parse", "--is-inside-work-tree", cwd=path).returncode == 0


def init_and_commit(path: Path, message: str, author: str = "", email: str = "") -> None:
    """`git init` + one commit of everything; an identity is borrowed only if none is set.
    A failing step raises GitError."""
    borrowed = identity(None, author, email)
    git_output("init", "--quiet", "--initial-branch=main", cwd=path)
    git_output("add", "--all", cwd=path)
    git_output(*borrowed, "commit", "--quiet", "--no-verify", "--message", message, cwd=path)
