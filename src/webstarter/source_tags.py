"""The newest version of a third-party copier template, read from its source's git tags.

copier updates to the highest tag that is a PEP 440 version (pre-releases aside); `check`
asks the source the same question with `git ls-remote --tags`, which reads refs only and
downloads no template. An unreachable source is an error, never "current".
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Literal

from webstarter.errors import WebstarterError
from webstarter.texts import last_line

TIMEOUT = 60  # seconds for `git ls-remote`: a dead host must not hang a CI job
DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<commits>\d+)-g[0-9a-f]+$")  # `git describe` output


class SourceUnreachable(WebstarterError):
    """The template source cannot be asked for its tags."""


def git_url(source: str, project: Path) -> str:
    """`source` as git understands it (gh:/gl: shortcuts expanded; a relative path is taken
    from the project, as copier records it)."""
    from copier._vcs import get_repo  # copier's own expansion of gh:, gl:, git+..., paths

    local = Path(source).expanduser()
    if not local.is_absolute() and not re.match(r"^[\w+.-]+:", source):
        local = (project / local).resolve()
        source = str(local)
    url = get_repo(source)
    if url is None:
        raise SourceUnreachable(
            f"the template source {source} is not a git repository: it has no versions to "
            "compare with"
        )
    return str(Path(url).resolve()) if Path(url).exists() else str(url)


def version_tags(url: str) -> list[str]:
    """Every tag of `url` that names a release version (pre-releases left out, as copier
    does by default)."""
    from packaging.version import InvalidVersion, Version

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true"}
    try:
        listed = subprocess.run(  # noqa: S603 - git from PATH, arguments built here
            ["git", "ls-remote", "--tags", "--refs", "--", url],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        why = f"no answer in {TIMEOUT} s"
        raise SourceUnreachable(f"cannot reach the template source {url}: {why}") from None
    except OSError as error:
        raise SourceUnreachable(f"cannot run git: {error}") from None
    if listed.returncode != 0:
        why = last_line(listed.stderr or listed.stdout, "git ls-remote failed")
        raise SourceUnreachable(f"cannot reach the template source {url}: {why}")
    tags = []
    for line in listed.stdout.splitlines():
        tag = line.partition("\t")[2].removeprefix("refs/tags/")
        try:
            if not Version(tag).is_prerelease:
                tags.append(tag)
        except InvalidVersion:
            continue
    return tags


def latest_tag(source: str, project: Path) -> str:
    """The tag copier would update to: the highest release version among the source's tags."""
    from packaging.version import Version

    url = git_url(source, project)
    tags = version_tags(url)
    if not tags:
        raise SourceUnreachable(f"the template source {url} has no version tags to compare with")
    return max(tags, key=Version)


def compare(recorded: str, latest: str) -> Literal["current", "behind", "ahead"]:
    """'current', 'behind' or 'ahead' for a project's `_commit` against the newest tag.

    A `_commit` like `v1.2-3-gabc123` (copier's record of a commit after tag v1.2) is past
    that tag: behind a newer tag, ahead of the same one."""
    from packaging.version import InvalidVersion, Version

    described = DESCRIBED.match(recorded)
    base = described["tag"] if described else recorded
    try:
        mine, newest = Version(base), Version(latest)
    except InvalidVersion:
        raise WebstarterError(
            f"the project records template commit {recorded!r}, not a version: cannot compare "
            f"it with {latest}"
        ) from None
    if newest > mine:
        return "behind"
    if described or mine > newest:
        return "ahead"
    return "current"
