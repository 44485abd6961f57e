"""One line for every error a user can cause through a template or its answers.

copier, cookiecutter, Jinja, YAML and git raise their own exception types, some with messages
over several lines. `explain` turns each kind a user can cause (a broken or third-party
template, a missing Jinja extension, a failed task or hook, a git source that cannot be read)
into a WebstarterError with one named line; anything else stays a bug, reported as such.
Third-party modules are only looked up when already imported: `explain` never imports copier.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from webstarter.errors import TemplateError, UsageError, WebstarterError


def one_line(text: object) -> str:
    """A multi-line message as one line: its non-blank lines joined, none left out."""
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())


def missing_extension(extension: str | None, error: BaseException | None) -> TemplateError:
    """A Jinja extension the template names that cannot be imported beside webstarter."""
    module = getattr(error, "name", None) if isinstance(error, ImportError) else None
    if module:
        why = f"module '{module}' is not installed"
    elif error is not None:
        why = one_line(error)
    else:
        why = "it cannot be imported"
    needs = f"the Jinja extension '{extension}'" if extension else "a Jinja extension"
    return TemplateError(
        f"the template needs {needs}, but {why}: install it beside "
        f"webstarter, into the Python environment of {sys.executable}"
    )


def _module(name: str) -> Any:
    return sys.modules.get(name)


def _is(error: BaseException, module: str, *names: str) -> bool:
    """Is `error` an instance of one of `module`'s classes `names` (if `module` is loaded)?"""
    loaded = _module(module)
    classes = tuple(getattr(loaded, name) for name in names if hasattr(loaded, name))
    return bool(classes) and isinstance(error, classes)


def _copier(error: BaseException) -> WebstarterError | None:
    if _is(error, "copier.errors", "ExtensionNotFoundError"):
        return missing_extension(None, error.__cause__ or error.__context__)
    if _is(error, "copier.errors", "TaskError"):
        command = getattr(error, "cmd", "")
        shown = command if isinstance(command, str) else " ".join(map(str, command))
        status = getattr(error, "returncode", "?")
        return WebstarterError(f"a template task failed: `{shown}` exited with status {status}")
    if _is(error, "copier.errors", "InteractiveSessionError"):
        return UsageError(
            "a question got no answer (the input ended); nothing was written: "
            "pass --data KEY=VALUE or --defaults"
        )
    if _is(error, "copier.errors", "UnsafeTemplateError"):
        return WebstarterError(f"{one_line(error)}; pass --trust to allow it")
    if _is(error, "copier.errors", "UnsupportedVersionError"):
        return TemplateError(f"{one_line(error)} (upgrade copier beside webstarter)")
    if _is(error, "copier.errors", "UserMessageError"):
        return UsageError(one_line(error))
    if _is(error, "copier.errors", "CopierError"):  # bad settings, paths or question types
        return TemplateError(f"the template's copier.yml is not valid: {one_line(error)}")
    return None


def _cookiecutter(error: BaseException) -> WebstarterError | None:
    module = "cookiecutter.exceptions"
    if _is(error, module, "FailedHookException"):
        return WebstarterError(f"a template hook failed: {one_line(error)}")
    if _is(error, module, "UnknownExtension"):
        return missing_extension(None, error.__cause__ or error.__context__)
    if _is(error, module, "UndefinedVariableInTemplate"):
        inner = getattr(error, "error", None)
        detail = getattr(inner, "message", None) or one_line(inner)
        return TemplateError(f"cookiecutter: {one_line(getattr(error, 'message', ''))}: {detail}")
    if _is(error, module, "NonTemplatedInputDirException"):
        return TemplateError(
            "the cookiecutter template has no folder named with {{cookiecutter.…}} to render"
        )
    if _is(error, module, "CookiecutterException"):
        return UsageError(f"cookiecutter: {one_line(error) or type(error).__name__}")
    return None


def _jinja(error: BaseException) -> WebstarterError | None:
    if _is(error, "jinja2.exceptions", "TemplateSyntaxError"):  # also unknown filters and tests
        where = Path(getattr(error, "filename", None) or getattr(error, "name", None) or "")
        place = f"{where.name} line {getattr(error, 'lineno', '?')}" if where.name else "a file"
        return TemplateError(f"the template's {place} is not valid Jinja: {_message(error)}")
    if _is(error, "jinja2.exceptions", "UndefinedError"):
        return TemplateError(f"the template uses an undefined variable: {_message(error)}")
    if _is(error, "jinja2.exceptions", "TemplateError"):
        return TemplateError(f"the template cannot be rendered: {_message(error)}")
    return None


def _message(error: BaseException) -> str:
    return one_line(getattr(error, "message", None) or error)


def _yaml(error: BaseException) -> WebstarterError | None:
    if not _is(error, "yaml", "YAMLError"):
        return None
    return TemplateError(yaml_message(error))


def yaml_message(error: BaseException) -> str:
    """`copier.yml is not valid YAML: line 3, column 12: did not find expected ','`."""
    mark = getattr(error, "problem_mark", None)
    name = Path(str(getattr(mark, "name", "") or "")).name or "a YAML file"
    problem = getattr(error, "problem", None) or one_line(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{name} is not valid YAML: {where}{problem}"


def _git(error: BaseException) -> WebstarterError | None:
    if not _is(error, "plumbum.commands.processes", "ProcessExecutionError"):
        return None
    lines = one_line(getattr(error, "stderr", "") or "").split("fatal: ")
    return UsageError(f"git cannot read the template: {lines[-1].strip() or one_line(error)}")


def explain(error: BaseException) -> WebstarterError | None:
    """The one-line error for what a user caused, or None when it is a bug in webstarter."""
    if isinstance(error, WebstarterError):
        return error
    for check in (_copier, _cookiecutter, _jinja, _yaml, _git):
        found = check(error)
        if found is not None:
            return found
    if isinstance(error, OSError) and error.filename and error.strerror:
        return WebstarterError(f"{error.strerror}: '{error.filename}'")
    return None
