"""The template history that `webstarter update` replays: one git commit per release.

copier updates a project by rendering the template at the project's old version and at the
new one, so the tool must carry every released version of `templates/`. This module builds
that history from the repository: a release is the last commit (first-parent) whose
pyproject.toml has a given version, and the version being built is the working tree.
Each release becomes a commit whose tree is that release's `templates/` folder, tagged
`vX.Y.Z`, with fixed author and dates so the same sources always give the same commits.
The result is written as a `git bundle`, which git can clone like a repository.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from webstarter.errors import HistoryError
from webstarter.gitrepo import git, git_output

TEMPLATES_DIR = "templates"
VERSION_LINE = re.compile(r'^version\s*=\s*"([^"]+)"', re.MULTILINE)
RELEASE_AUTHOR = {
    "GIT_AUTHOR_NAME": "webstarter",
    "GIT_AUTHOR_EMAIL": "releases@webstarter",
    "GIT_COMMITTER_NAME": "webstarter",
    "GIT_COMMITTER_EMAIL": "releases@webstarter",
}


@dataclass(frozen=True)
class Release:
    version: str
    tree: str  # the git tree id of templates/ at this release
    date: str  # the commit date the release is stamped with (ISO 8601)


def run_git(
    repo: Path, *args: str, env: dict[str, str] | None = None, input_: str | None = None
) -> str:
    """git's stdout in `repo`; a failure raises HistoryError (see gitrepo.git_output)."""
    return git_output(
        "-c", "core.quotepath=off", *args, cwd=repo, env=env, input_=input_, error=HistoryError
    )


def _version_at(repo: Path, commit: str) -> str | None:
    try:
        text = run_git(repo, "show", f"{commit}:pyproject.toml")
    except HistoryError:
        return None
    found = VERSION_LINE.search(text)
    return found.group(1) if found else None


def working_tree_templates(repo: Path, git_dir: Path) -> str:
    """The tree id of templates/ as it is on disk now (ignored files left out)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
            "GIT_DIR": str(git_dir),
            "GIT_WORK_TREE": str(repo),
        }
        run_git(repo, "add", "--all", "--", TEMPLATES_DIR, env=env)
        return run_git(repo, "write-tree", f"--prefix={TEMPLATES_DIR}/", env=env)


def current_version(repo: Path) -> str:
    text = (repo / "pyproject.toml").read_text(encoding="utf-8")
    found = VERSION_LINE.search(text)
    if not found:
        raise HistoryError("pyproject.toml has no static version")
    return found.group(1)


def releases(repo: Path) -> list[Release]:
    """Every release, oldest first; the last one is the working tree's version."""
    repo = repo.resolve()
    git_dir = Path(run_git(repo, "rev-parse", "--absolute-git-dir"))
    has_head = git("rev-parse", "--verify", "--quiet", "HEAD", cwd=repo).returncode == 0
    found: dict[str, Release] = {}
    if has_head:
        log = run_git(repo, "log", "--first-parent", "--reverse", "--format=%H %cI", "HEAD")
        previous: tuple[str, str, str] | None = None  # (version, commit, date)
        for line in log.splitlines():
            commit, date = line.split(" ", 1)
            version = _version_at(repo, commit)
            if previous and version != previous[0] and previous[0]:
                found[previous[0]] = _release(repo, *previous)
            previous = (version or "", commit, date)
    version = current_version(repo)
    date = run_git(repo, "log", "-1", "--format=%cI") if has_head else "2026-01-01T00:00:00+00:00"
    found.pop(version, None)
    ordered = [release for release in found.values() if release.tree]
    ordered.append(Release(version, working_tree_templates(repo, git_dir), date))
    return ordered


def _release(repo: Path, version: str, commit: str, date: str) -> Release:
    try:
        tree = run_git(repo, "rev-parse", f"{commit}:{TEMPLATES_DIR}")
    except HistoryError:
        tree = ""  # this version had no templates/ yet
    return Release(version, tree, date)


def build_bundle(repo: Path, out: Path) -> list[Release]:
    """Write the release history of `repo`'s templates to the bundle file `out`."""
    repo = repo.resolve()
    objects = Path(run_git(repo, "rev-parse", "--git-path", "objects"))
    objects = objects if objects.is_absolute() else repo / objects
    history = releases(repo)
    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "history.git"
        run_git(repo, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        env = {
            "GIT_DIR": str(bare),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects),
            **RELEASE_AUTHOR,
        }
        parent: list[str] = []
        for release in history:
            stamp = {"GIT_AUTHOR_DATE": release.date, "GIT_COMMITTER_DATE": release.date}
            commit = run_git(
                repo,
                "commit-tree",
                release.tree,
                *parent,
                "-m",
                f"webstarter templates v{release.version}",
                env={**env, **stamp},
            )
            run_git(repo, "update-ref", f"refs/tags/v{release.version}", commit, env=env)
            parent = ["-p", commit]
        run_git(repo, "update-ref", "refs/heads/main", parent[-1], env=env)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        run_git(repo, "-c", "pack.threads=1", "bundle", "create", str(partial), "--all", env=env)
        partial.replace(out)
    return history
