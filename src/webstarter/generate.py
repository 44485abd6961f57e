"""`webstarter new`: render a starter with copier, atomically, then commit it to git.

copier renders into a temporary folder beside DEST; only a complete render is moved into
place. An invalid answer, a failed render or Ctrl-C therefore never leaves half a project,
and `--force` adds files to an existing folder without overwriting anything of the user's.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import webstarter
from webstarter import gitrepo
from webstarter.catalog import get_framework
from webstarter.errors import AnswerError, GitError, UsageError, WebstarterError
from webstarter.questions import load_questions, missing_answers, parse_data
from webstarter.resources import template_root
from webstarter.texts import key_value

TEMP_PREFIX = ".webstarter-"


@dataclass(frozen=True)
class Request:
    """What the user asked `webstarter new` for."""

    dest: Path
    framework: str | None = None
    data: list[str] = field(default_factory=list)
    defaults: bool = False
    pretend: bool = False
    force: bool = False
    git: bool = True
    interactive: bool = False
    template: str | None = None  # a third-party copier or cookiecutter template
    ref: str | None = None
    trust: bool = False


@dataclass
class Result:
    """What generation did: the files written, the user's files kept, and the git outcome."""

    dest: Path
    answers: dict[str, Any]
    files: list[str]
    kept: list[str] = field(default_factory=list)
    git: str = ""
    kind: str = "webstarter"  # or "copier" / "cookiecutter" for a third-party template


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor)


def default_destination(data: list[str]) -> Path:
    """DEST when none is given: a folder named after `--data project_name=...`."""
    for pair in data:
        key, value = key_value(pair, "--data")
        if key == "project_name" and value.strip():
            return Path(value.strip())
    raise UsageError("missing DEST: name the folder to create (or pass --data project_name=...)")


def check_destination(dest: Path, force: bool) -> None:
    """Refuse a DEST that is a file, that cannot be written, or that holds files (unless forced)."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"destination '{dest}' exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise UsageError(
            f"destination '{dest}' is not empty; choose another folder or pass --force "
            "to add the starter's files (your files are never overwritten)"
        )
    base = _nearest_existing(dest.parent)
    if not base.is_dir():
        raise UsageError(f"cannot create '{dest}': '{base}' is not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to '{base}': permission denied")


def require_answers(request: Request, questions: dict[str, Any], answers: dict[str, Any]) -> None:
    """Off a terminal nobody can answer a prompt: name every answer that is missing."""
    if request.interactive:
        return
    missing = missing_answers(questions, answers, request.defaults)
    if missing:
        hint = "--framework NAME" if "framework" in missing else "--data KEY=VALUE"
        raise UsageError(
            f"no terminal to ask for: {', '.join(missing)}; pass {hint}"
            + ("" if request.defaults else " or --defaults")
        )


def resolve_answers(request: Request, questions_file: Path) -> dict[str, Any]:
    """Merge --framework and --data into answers, and insist on every answer off a terminal."""
    questions = load_questions(questions_file)
    answers: dict[str, Any] = parse_data(request.data, questions)
    if request.framework:
        given = answers.get("framework")
        if given and given.lower() != request.framework.lower():
            raise UsageError(
                f"--framework {request.framework} contradicts --data framework={given}"
            )
        answers["framework"] = request.framework
    if "framework" in answers:
        answers["framework"] = get_framework(answers["framework"]).key
    require_answers(request, questions, answers)
    return answers


def _git_identity_defaults() -> dict[str, str]:
    """Author defaults from git config, so prompts and --defaults name the real author."""
    defaults = {}
    if name := gitrepo.config_value("user.name"):
        defaults["author_name"] = name
    if email := gitrepo.config_value("user.email"):
        defaults["author_email"] = email
    return defaults


def _copier_answer_error(error: ValueError) -> AnswerError | None:
    """copier reports a bad answer as a ValueError with a readable text naming the question;
    anything else is a bug."""
    text = str(error)
    validation = re.match(r"Validation error for question '([^']+)': (.*)", text, re.DOTALL)
    if validation:
        return AnswerError(validation.group(1), validation.group(2).strip())
    choice = re.match(r"Invalid (?:choice|value) for '([^']+)'", text)
    if choice:
        return AnswerError(choice.group(1), text)
    return None


_PATH_LOCK = threading.Lock()
_hidden_depth = 0
_saved_path: str | None = None


@contextmanager
def _git_hidden_from_copier() -> Iterator[None]:
    """Render without git on copier's PATH.

    Rendering a plain folder into a fresh staging folder needs no git, yet copier asks git for
    `core.fileMode` once per rendered file (to sync executable bits in a destination *repo*;
    the staging folder never is one): some 40 processes, a sixth of `new`'s time. PATH is
    process-wide: concurrent renders (`webstarter serve`) share one change, counted, so the
    last one out restores it.
    """
    from plumbum import local

    global _hidden_depth, _saved_path
    with _PATH_LOCK:
        if _hidden_depth == 0:
            _saved_path = os.environ.get("PATH", "")
            folders = _saved_path.split(os.pathsep)
            kept = [folder for folder in folders if not (Path(folder) / "git").exists()]
            os.environ["PATH"] = local.env["PATH"] = os.pathsep.join(kept)
        _hidden_depth += 1
    try:
        yield
    finally:
        with _PATH_LOCK:
            _hidden_depth -= 1
            if _hidden_depth == 0 and _saved_path is not None:
                os.environ["PATH"] = local.env["PATH"] = _saved_path


def render(request: Request, answers: dict[str, Any], target: Path) -> dict[str, Any]:
    """Run copier into `target` (a folder named like DEST) and return the recorded answers."""
    return render_starter(
        template_root(),
        answers,
        target,
        defaults=request.defaults or not request.interactive,
        user_defaults=_git_identity_defaults(),
    )


def render_starter(
    folder: Path,
    answers: dict[str, Any],
    target: Path,
    *,
    defaults: bool = True,
    user_defaults: dict[str, str] | None = None,
    unsafe: bool = True,
) -> dict[str, Any]:
    """Render webstarter's templates (or a fork of them) in `folder` into `target`.

    The installed templates folder is exactly the newest release in the shipped history, so
    copier renders from the folder (no git work at all) and the answers file then names the
    canonical source and release tag, as a render from the history would: `update` replays
    from there. A fork (`serve --template`) keeps the source copier records, and is rendered
    with `unsafe=False`: copier itself then refuses tasks, migrations and extensions.
    """
    from copier import run_copy
    from copier.errors import CopierAnswersInterrupt, UserMessageError

    from webstarter.template_source import ANSWERS_FILE, record_canonical_source

    try:
        with _git_hidden_from_copier():
            worker = run_copy(
                str(folder),
                target,
                data=answers,
                defaults=defaults,
                user_defaults=user_defaults or {},
                unsafe=unsafe,
                quiet=True,
                cleanup_on_error=True,
            )
    except CopierAnswersInterrupt as interrupt:
        raise KeyboardInterrupt from interrupt
    except ValueError as error:
        refused = _copier_answer_error(error)
        if refused is None:
            raise
        raise refused from error
    except UserMessageError as error:
        raise WebstarterError(" ".join(str(error).split())) from error
    recorded = dict(worker.answers.combined)
    if folder.resolve() != template_root().resolve():
        return recorded
    return record_canonical_source(target / ANSWERS_FILE, recorded)


def relative_files(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*") if not path.is_dir()
    )


@contextmanager
def _staging_dir(dest: Path) -> Iterator[Path]:
    """A temporary folder beside DEST (same file system, so the final move is a rename)."""
    base = _nearest_existing(dest.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=base))
    except OSError as error:
        raise UsageError(f"cannot write to '{base}': {error.strerror}") from error
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _merge_into(rendered: Path, dest: Path) -> list[str]:
    """Move rendered files into an existing DEST, keeping every file the user already has."""
    kept: list[str] = []
    moved: list[Path] = []
    try:
        for relative in relative_files(rendered):
            source, target = rendered / relative, dest / relative
            if target.exists() or target.is_symlink():
                if not (target.is_file() and filecmp.cmp(source, target, shallow=False)):
                    kept.append(relative)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
            moved.append(target)
    except BaseException:
        for target in moved:  # undo: the folder goes back to what the user had
            target.unlink(missing_ok=True)
        raise
    return kept


def _place(rendered: Path, dest: Path) -> list[str]:
    """Put the finished render at DEST: one rename when DEST is new or empty."""
    if dest.is_dir() and any(dest.iterdir()):
        return _merge_into(rendered, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_dir():
        dest.rmdir()
    rendered.rename(dest)
    return []


def generate(request: Request) -> Result:
    """Validate, render into staging, move into place, then `git init` and commit."""
    dest = request.dest.expanduser().absolute()
    check_destination(dest, request.force)
    if request.template:
        return _generate_external(request, dest)
    if request.ref or request.trust:
        raise UsageError("--ref and --trust go with --template")
    answers = resolve_answers(request, template_root() / "copier.yml")
    return _finish(request, dest, partial(render, request, answers), "webstarter")


def _generate_external(request: Request, dest: Path) -> Result:
    """A third-party copier or cookiecutter template, refused if it runs code untrusted."""
    from webstarter import external

    if request.framework:
        raise UsageError("--framework picks one of webstarter's templates; drop it with --template")
    with external.open_source(request.template or "", request.ref) as template:
        features = external.unsafe_features(template)
        if features and not request.trust:
            raise WebstarterError(
                f"the {template.kind} template would run code; nothing was written. "
                f"Pass --trust to allow: {'; '.join(features)}"
            )
        external.check_extensions(template)
        questions = external.template_questions(template)
        answers: dict[str, Any] = parse_data(request.data, questions)
        external.check_choices(template, answers)
        require_answers(request, questions, answers)
        defaults = request.defaults or not request.interactive
        if template.kind == "copier":
            renderer = partial(
                external.render_copier,
                template,
                answers=answers,
                defaults=defaults,
                trust=request.trust,
            )
        else:
            renderer = partial(
                external.render_cookiecutter, template, answers=answers, defaults=defaults
            )
        return _finish(request, dest, renderer, template.kind)


def _finish(
    request: Request, dest: Path, renderer: Callable[[Path], dict[str, Any]], kind: str
) -> Result:
    """Render with `renderer(target)` into staging, then place the result and commit it."""
    with _staging_dir(dest) as staging:
        target = staging / (dest.name or "project")
        recorded = renderer(target)
        files = relative_files(target)
        if request.pretend:
            return Result(
                dest=dest, answers=recorded, files=files, git="not run (--pretend)", kind=kind
            )
        kept = _place(target, dest)
    result = Result(dest=dest, answers=recorded, files=files, kept=kept, kind=kind)
    result.git = _commit(result, request)
    return result


def _commit(result: Result, request: Request) -> str:
    if not request.git:
        return "skipped (--no-git)"
    if not gitrepo.available():
        return "skipped: git is not installed"
    if gitrepo.inside_work_tree(result.dest):
        return "skipped: the folder is already inside a git repository"
    if result.kind == "webstarter":
        framework = get_framework(result.answers["framework"]).name
        message = f"Initial commit: {framework} starter from webstarter {webstarter.__version__}"
    else:
        message = f"Initial commit from {request.template} ({result.kind} template)"
    try:
        gitrepo.init_and_commit(
            result.dest,
            message,
            author=str(result.answers.get("author_name") or ""),
            email=str(result.answers.get("author_email") or ""),
        )
    except GitError as error:
        return f"failed ({error}); the project files are in place"
    return "initialised with one commit on branch main"
