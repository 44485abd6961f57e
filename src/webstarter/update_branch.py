"""`webstarter update --branch NAME [--commit]`: a template update on its own branch.

The template-update workflow runs every step that needs no GitHub here, where tests can run
them: make (or reset) branch NAME at the current commit, update there, commit the result,
conflict markers included so that the pull request shows them, and go back to the branch it
started on, which is never changed. A failure or Ctrl-C puts the repository back as it was:
the checkout, the files, and NAME where it pointed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from webstarter.errors import UsageError, WebstarterError
from webstarter.gitrepo import git, git_output, identity
from webstarter.update import (
    UpdateResult,
    read_project,
    require_git_repo,
    require_nothing_pending,
    target_version,
    update,
)

BranchStatus = Literal["updated", "conflicts", "current"]


@dataclass(frozen=True)
class Start:
    """Where the repository was before: a branch name (None when detached) and its commit."""

    branch: str | None
    commit: str


@dataclass
class BranchResult:
    status: BranchStatus
    update: UpdateResult
    branch: str
    commit: str | None = None  # the update commit (with --commit)
    back_on: str | None = None  # the branch or commit checked out again (with --commit)


def update_on_branch(path: Path, branch: str, commit: bool, **options: Any) -> BranchResult:
    """Update PATH on branch BRANCH (made or reset at HEAD); commit there when `commit`.

    `options` are `update()`'s (to, conflict, recopy, data, trust)."""
    path = path.resolve()
    project = read_project(path)
    top = require_git_repo(path)
    require_nothing_pending(top, "--branch needs a clean repository (commit or stash them first)")
    _check_name(branch, top)
    start = _start(top)
    if branch == start.branch:
        raise UsageError(
            f"--branch {branch} is the branch checked out here; name another one: the update "
            "never commits to the branch you are on"
        )
    if branch == _remote_default(top):
        raise UsageError(f"--branch {branch} is the remote's default branch; name another one")
    target = target_version(project, options.get("to"))
    if project.is_webstarter and target == project.version and not options.get("recopy"):
        return BranchResult("current", UpdateResult(path, project.version, target), branch)
    prior = git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", cwd=top).stdout
    git_output("switch", "--quiet", "--force-create", branch, cwd=top)
    try:
        result = update(path, **options)
        if not result.changed:  # a third-party source with nothing newer
            _restore(top, start, branch, prior.strip())
            return BranchResult("current", result, branch)
        status: BranchStatus = "conflicts" if result.conflicts else "updated"
        if not commit:
            return BranchResult(status, result, branch)
        git_output("add", "--all", "--", ".", cwd=path)
        git_output(
            *identity(top),
            "commit",
            "--quiet",
            "--no-verify",  # conflict markers would fail the project's own pre-commit hooks
            "--message",
            _message(result),
            cwd=top,
        )
        made = git_output("rev-parse", "HEAD", cwd=top)
        _switch_back(top, start)
    except BaseException:
        _restore(top, start, branch, prior.strip())
        raise
    return BranchResult(status, result, branch, made, start.branch or start.commit)


def _check_name(branch: str, top: Path) -> None:
    if not branch or git("check-ref-format", "--branch", branch, cwd=top).returncode != 0:
        raise UsageError(f"--branch: '{branch}' is not a valid git branch name")


def _start(top: Path) -> Start:
    name = git("symbolic-ref", "--quiet", "--short", "HEAD", cwd=top).stdout.strip()
    head = git("rev-parse", "--verify", "--quiet", "HEAD", cwd=top).stdout.strip()
    if not head:
        raise UsageError("the repository has no commit yet: commit the project first")
    return Start(name or None, head)


def _remote_default(top: Path) -> str | None:
    """The default branch of `origin` as this clone knows it (refs/remotes/origin/HEAD)."""
    ref = git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", cwd=top)
    return ref.stdout.strip().removeprefix("origin/") or None


def _switch_back(top: Path, start: Start) -> None:
    if start.branch:
        git_output("switch", "--quiet", start.branch, cwd=top)
    else:
        git_output("switch", "--quiet", "--detach", start.commit, cwd=top)


def _restore(top: Path, start: Start, branch: str, prior: str) -> None:
    """Undo everything: the files (the repository was clean), the checkout, BRANCH."""
    git("reset", "--quiet", "--hard", cwd=top)
    git("clean", "-fdq", cwd=top)  # what the update created; ignored files are not touched
    try:
        _switch_back(top, start)
    except WebstarterError:
        return  # leave BRANCH alone rather than delete the branch still checked out
    if prior:
        git("branch", "--quiet", "--force", branch, prior, cwd=top)
    else:
        git("branch", "--quiet", "--delete", "--force", branch, cwd=top)


def _message(result: UpdateResult) -> str:
    from webstarter.pr_text import title

    lines = [title(result), ""]
    lines.append(f"webstarter update from v{result.old} to v{result.new} ({result.mode}).")
    if result.conflicts:
        lines += ["", "Conflicts, marked inline, to resolve before merging:"]
        lines += [f"  {name}" for name in result.conflicts]
    return "\n".join(lines) + "\n"
