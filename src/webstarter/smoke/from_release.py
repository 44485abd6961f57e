"""`smoke --from`: start each cell from a project an older release made, as a user has it.

The cell is rendered at the old release from the shipped history, a user's edits are made
and committed (a README line, a new test file), and the project is updated to the templates
under test. What must hold afterwards: no conflict, and every user edit still there. Templates
under test that are not the installed ones are served to copier as a template history of their
own: the shipped releases plus one commit of that folder, tagged as the installed version.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from webstarter.errors import StepFailed
from webstarter.gitrepo import git_output
from webstarter.history import RELEASE_AUTHOR
from webstarter.template_source import bundle_path, installed_version

USER = ["-c", "user.name=A User", "-c", "user.email=user@example.org"]
README = "README.md"
USER_TEST = "tests/test_user_edit.py"
BASE_TEST = "tests/test_api.py"  # every starter tests its API; the user's test starts from it
# Never part of a template: left out of the history built from a template folder.
IGNORED = "__pycache__/\n*.py[co]\n.DS_Store\n"


@dataclass(frozen=True)
class Origin:
    """Where `--from` cells start and what they update to."""

    version: str  # the older release the cells are generated at (no leading v)
    target: str  # the version the templates under test are labelled with
    history: Path | None = None  # their template history; None: the shipped one


@dataclass(frozen=True)
class UserEdits:
    """What the user changed, to look for after the update."""

    readme_line: str  # a README.md line the user rewrote, as they wrote it
    test_text: str  # the whole of USER_TEST, as they wrote it


def templates_history(template: Path, out: Path) -> Path:
    """A bare repository holding the shipped releases and, tagged `v<installed>`, the tree of
    the `template` folder: copier updates to the templates under test from it."""
    tag = f"v{installed_version()}"
    git_output("clone", "--quiet", "--bare", str(bundle_path()), str(out))
    (out / "info").mkdir(exist_ok=True)
    (out / "info" / "exclude").write_text(IGNORED, encoding="utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "GIT_DIR": str(out),
            "GIT_WORK_TREE": str(template),
            "GIT_INDEX_FILE": str(Path(scratch) / "index"),
            **RELEASE_AUTHOR,
        }
        git_output("add", "--all", cwd=template, env=env)
        tree = git_output("write-tree", cwd=template, env=env)
        parent = git_output("rev-parse", f"{tag}^{{commit}}", cwd=out, env=env)
        message = f"webstarter templates under test ({template})"
        commit = git_output("commit-tree", tree, "-p", parent, "-m", message, cwd=out, env=env)
        git_output("tag", "--force", tag, commit, cwd=out, env=env)
        git_output("update-ref", "refs/heads/main", commit, cwd=out, env=env)
    return out


def make_user_edits(project: Path) -> UserEdits:
    """Rewrite the README's description line and add a test of the user's own (the starter's
    API tests under new names), as a user does in the weeks after generating."""
    readme = project / README
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(
        (
            number
            for number, line in enumerate(lines)
            if number and line.strip() and not line.startswith(("#", "<", "[", "!"))
        ),
        None,
    )
    if index is None:
        raise StepFailed(f"{README} has no description line to edit")
    edited = f"{lines[index].rstrip()} Edited by its user: run by the platform team."
    lines[index] = edited + "\n"
    readme.write_text("".join(lines), encoding="utf-8")
    base = project / BASE_TEST
    if not base.is_file():
        raise StepFailed(f"no {BASE_TEST} to base the user's test on")
    body = re.sub(r"^def test_", "def test_user_", base.read_text(encoding="utf-8"), flags=re.M)
    docstring = '"""A test the user added: the API as their clients use it."""'
    body = re.sub(r'\A""".*?"""', docstring, body, count=1, flags=re.S)
    (project / USER_TEST).write_text(body, encoding="utf-8")
    return UserEdits(edited, body)


def commit_all(project: Path, message: str) -> str:
    """Commit everything as the user would; the new commit's id."""
    git_output("add", "--all", cwd=project)
    git_output(*USER, "commit", "--quiet", "--no-verify", "--message", message, cwd=project)
    return git_output("rev-parse", "--short", "HEAD", cwd=project)


def lost_edits(project: Path, edits: UserEdits) -> list[str]:
    """The user's edits the update lost (empty when all of them are there)."""
    lost = []
    readme = project / README
    if not readme.is_file():
        lost.append(f"{README} was deleted")
    elif edits.readme_line not in readme.read_text(encoding="utf-8").splitlines():
        lost.append(f"{README} lost the user's line {edits.readme_line!r}")
    test = project / USER_TEST
    if not test.is_file():
        lost.append(f"{USER_TEST} was deleted")
    elif test.read_text(encoding="utf-8") != edits.test_text:
        lost.append(f"{USER_TEST} was changed")
    return lost
