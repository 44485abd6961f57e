"""Third-party templates: `webstarter new DEST --template SOURCE` for copier and cookiecutter.

A source is a local folder, a local git repository, a git URL (`gh:`/`gl:` shorthands too) or,
for cookiecutter, a zip file. Its kind is read from its root: `copier.yml`/`copier.yaml` or
`cookiecutter.json`. Templates that run code (copier tasks, migrations and Jinja extensions,
cookiecutter hooks and extensions) are refused unless the user passes `--trust`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from webstarter import gitrepo
from webstarter.errors import UsageError, WebstarterError
from webstarter.gitrepo import git
from webstarter.questions import Question, load_copier_config, load_questions
from webstarter.resources import cache_dir
from webstarter.texts import last_line

Kind = Literal["copier", "cookiecutter"]
COPIER_FILES = ("copier.yml", "copier.yaml")
COOKIECUTTER_FILE = "cookiecutter.json"
SHORTHANDS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
URL_PREFIXES = ("https://", "http://", "ssh://", "git://", "git+", "git@", "file://")
HOOK_NAMES = ("pre_prompt", "pre_gen_project", "post_gen_project")


@dataclass(frozen=True)
class TemplateSource:
    """A template ready to read: its kind, a local folder with its files, and how to render."""

    original: str  # what the user typed; copier records it for later updates
    kind: Kind
    root: Path  # a local folder holding the template (maybe a temporary clone)
    ref: str | None
    is_git: bool


def _expand(source: str) -> str:
    for short, prefix in SHORTHANDS.items():
        if source.startswith(short):
            rest = source.removeprefix(short)
            return prefix + rest + ("" if rest.endswith(".git") else ".git")
    return source


def is_url(source: str) -> bool:
    return source.startswith(URL_PREFIXES) or any(source.startswith(s) for s in SHORTHANDS)


def _clone(url: str, ref: str | None, into: Path) -> Path:
    if not gitrepo.available():
        raise UsageError(f"cannot clone '{url}': git is not installed (it is not on PATH)")
    cloned = git("clone", "--quiet", url, str(into))
    if cloned.returncode != 0:
        raise UsageError(f"cannot clone '{url}': {last_line(cloned.stderr, 'git failed')}")
    if ref:
        checkout = git("checkout", "--quiet", ref, cwd=into)
        if checkout.returncode != 0:
            raise UsageError(f"unknown --ref '{ref}' in '{url}'")
    return into


def detect_kind(root: Path, label: str) -> Kind:
    """copier.yml means copier, cookiecutter.json means cookiecutter; both or neither: error."""
    copier = any((root / name).is_file() for name in COPIER_FILES)
    cookiecutter = (root / COOKIECUTTER_FILE).is_file()
    if copier and cookiecutter:
        raise UsageError(f"'{label}' has both copier.yml and cookiecutter.json; cannot tell which")
    if copier:
        return "copier"
    if cookiecutter:
        return "cookiecutter"
    raise UsageError(
        f"'{label}' is not a template: no copier.yml, copier.yaml or cookiecutter.json at its root"
    )


@contextmanager
def open_source(source: str, ref: str | None) -> Iterator[TemplateSource]:
    """Make SOURCE readable locally (cloning or unzipping into a temporary folder)."""
    scratch = Path(tempfile.mkdtemp(prefix="webstarter-template-"))
    try:
        path = Path(source).expanduser()
        if is_url(source):
            root = _clone(_expand(source), ref, scratch / "clone")
            yield TemplateSource(source, detect_kind(root, source), root, ref, True)
        elif path.is_file() and zipfile.is_zipfile(path):
            yield TemplateSource(
                str(path.resolve()), "cookiecutter", _unzip(path, scratch), ref, False
            )
        elif path.is_dir():
            is_git = (path / ".git").exists()
            root = path.resolve()
            if ref:
                if not is_git:
                    raise UsageError(f"--ref needs a git repository; '{source}' is a plain folder")
                root = _clone(str(root), ref, scratch / "clone")
            kind = detect_kind(root, source)
            yield TemplateSource(str(path.resolve()), kind, root, ref, is_git)
        elif path.exists():
            raise UsageError(f"'{source}' is neither a folder, a git URL nor a zip file")
        else:
            raise UsageError(f"template '{source}' does not exist")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _unzip(archive: Path, scratch: Path) -> Path:
    target = scratch / "unzipped"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(target)
    tops = [entry for entry in target.iterdir() if entry.is_dir()]
    root = tops[0] if len(tops) == 1 else target
    if not (root / COOKIECUTTER_FILE).is_file():
        raise UsageError(
            f"'{archive}' holds no cookiecutter template (zip files are cookiecutter's)"
        )
    return root


# What a template would run ---------------------------------------------------------------


def _copier_file(root: Path) -> Path:
    return next(root / name for name in COPIER_FILES if (root / name).is_file())


def unsafe_features(template: TemplateSource) -> list[str]:
    """Everything the template would execute on this machine, one line each."""
    found: list[str] = []
    if template.kind == "copier":
        config = load_copier_config(_copier_file(template.root))
        for task in config.get("_tasks") or []:
            command = task.get("command", task) if isinstance(task, dict) else task
            found.append(f"task: {command if isinstance(command, str) else ' '.join(command)}")
        for migration in config.get("_migrations") or []:
            label = migration.get("version", "") if isinstance(migration, dict) else ""
            found.append(f"migration {label}".rstrip())
        found += [f"Jinja extension: {name}" for name in config.get("_jinja_extensions") or []]
        return found
    hooks = template.root / "hooks"
    if hooks.is_dir():
        found += [
            f"hook: hooks/{hook.name}"
            for hook in sorted(hooks.iterdir())
            if hook.is_file() and hook.stem in HOOK_NAMES
        ]
    context = _cookiecutter_context(template.root)
    found += [f"Jinja extension: {name}" for name in context.get("_extensions") or []]
    return found


# Questions ---------------------------------------------------------------------------------


def _cookiecutter_context(root: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((root / COOKIECUTTER_FILE).read_text(encoding="utf-8"))
    except ValueError as error:
        raise UsageError(f"{COOKIECUTTER_FILE} is not valid JSON: {error}") from None
    if not isinstance(loaded, dict):
        raise UsageError(f"{COOKIECUTTER_FILE} must hold an object")
    return loaded


def template_questions(template: TemplateSource) -> dict[str, Question]:
    """The questions a template asks, for checking --data and finding missing answers."""
    if template.kind == "copier":
        return load_questions(_copier_file(template.root))
    questions = {}
    for key, value in _cookiecutter_context(template.root).items():
        if key.startswith("_"):
            continue
        choices = tuple(str(item) for item in value) if isinstance(value, list) else ()
        questions[key] = Question(name=key, help=key, choices=choices, has_default=True)
    return questions


def check_extensions(template: TemplateSource) -> None:
    """Every Jinja extension the (trusted) template names imports beside webstarter, or one
    line names the one that does not: before any question is evaluated or file written."""
    from jinja2.utils import import_string

    from webstarter.questions import copier_environment
    from webstarter.template_errors import missing_extension

    if template.kind == "copier":
        copier_environment(template.root)  # copier's own environment, extensions included
        return
    for extension in _cookiecutter_context(template.root).get("_extensions") or []:
        try:
            import_string(str(extension))
        except (ImportError, AttributeError) as error:
            raise missing_extension(str(extension), error) from None


def check_choices(template: TemplateSource, answers: dict[str, Any]) -> None:
    """cookiecutter silently accepts a choice outside its list: refuse it here instead."""
    if template.kind != "cookiecutter":
        return
    for key, question in template_questions(template).items():
        if question.choices and key in answers and str(answers[key]) not in question.choices:
            raise UsageError(
                f"--data {key}={answers[key]}: not one of {', '.join(question.choices)}"
            )


# Rendering ---------------------------------------------------------------------------------


def render_copier(
    template: TemplateSource, target: Path, *, answers: dict[str, Any], defaults: bool, trust: bool
) -> dict[str, Any]:
    from copier import run_copy
    from copier.errors import CopierAnswersInterrupt, CopierError

    from webstarter.template_errors import explain, one_line

    source = (
        template.original if template.is_git or is_url(template.original) else str(template.root)
    )
    if source.startswith("file://"):  # copier takes a local git repository as a plain path
        source = source.removeprefix("file://")
    try:
        worker = run_copy(
            source,
            target,
            data=answers,
            defaults=defaults,
            unsafe=trust,
            quiet=True,
            vcs_ref=template.ref,
        )
    except CopierAnswersInterrupt as interrupt:
        raise KeyboardInterrupt from interrupt
    except (CopierError, ValueError) as error:  # a bad answer is a plain ValueError
        raise explain(error) or UsageError(one_line(error)) from None
    except subprocess.CalledProcessError as error:
        raise WebstarterError(f"a template task failed: {one_line(error)}") from None
    return dict(worker.answers.combined)


def _cookiecutter_config() -> Path:
    """A config file that keeps cookiecutter's clones and replay files in webstarter's cache."""
    base = cache_dir() / "cookiecutter"
    config = base / "config.yaml"
    if not config.is_file():
        base.mkdir(parents=True, exist_ok=True)
        config.write_text(
            yaml.safe_dump(
                {
                    "cookiecutters_dir": str(base / "templates"),
                    "replay_dir": str(base / "replay"),
                }
            ),
            encoding="utf-8",
        )
    return config


def render_cookiecutter(
    template: TemplateSource, target: Path, *, answers: dict[str, Any], defaults: bool
) -> dict[str, Any]:
    """Render into target's parent and rename the generated folder to `target`."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    from webstarter.template_errors import explain

    output = target.parent / "cookiecutter-output"
    output.mkdir()
    source = template.original if zipfile.is_zipfile(template.original) else str(template.root)
    try:
        generated = cookiecutter(
            source,
            no_input=defaults,
            extra_context=answers,
            output_dir=str(output),
            config_file=str(_cookiecutter_config()),
        )
    except CookiecutterException as error:  # hooks, undefined variables, extensions, ...
        raise explain(error) or UsageError(f"cookiecutter: {error}") from None
    Path(generated).rename(target)
    return {**answers, "_template": template.original}
