"""The template's questions, read from copier.yml before copier runs.

webstarter checks `--data` keys and finds missing answers before copier runs, so that a typo
or a forgotten answer is one clear line instead of a prompt that can never be answered. The
YAML is read here (fast, no copier import); `when` conditions are evaluated with the Jinja
environment copier itself builds for the template (its filters such as `regex_search` and
`to_json`, its `_jinja_extensions` and `_envops`), so they mean exactly what copier makes
of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from webstarter.errors import AnswerError, TemplateError
from webstarter.texts import key_value


@lru_cache(maxsize=8)
def copier_environment(folder: Path) -> jinja2.Environment:
    """The Jinja environment copier renders the template in `folder` with.

    copier's own Worker builds it; its Template is pointed at `folder` as it is, so a local
    git repository is read in place instead of cloned.
    """
    from webstarter.template_errors import missing_extension

    try:
        from copier._main import Worker
        from copier._template import Template
    except ImportError:  # copier before 9.5 named these modules without the underscore
        from copier.main import Worker
        from copier.template import Template

    template = Template(url=str(folder))
    template.__dict__["local_abspath"] = folder  # the cached property: never clone
    worker = Worker(src_path=str(folder), quiet=True)
    worker.__dict__["template"] = template
    for extension in template.jinja_extensions:
        try:
            jinja2.utils.import_string(extension)
        except (ImportError, AttributeError) as error:
            raise missing_extension(extension, error) from None
    return worker.jinja_env


def _cast_to_bool(rendered: str) -> bool:
    """copier's own reading of a rendered `when` as true or false."""
    try:
        from copier._tools import cast_to_bool
    except ImportError:  # copier before 9.5
        from copier.tools import cast_to_bool
    return bool(cast_to_bool(rendered))


BOOL_WORDS = frozenset({"true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"})


@dataclass(frozen=True)
class Question:
    """One copier question: its name, default and the `when` condition that guards it."""

    name: str
    help: str
    choices: tuple[str, ...]
    has_default: bool
    when: Any = True
    type: str = "str"
    default: Any = None
    labels: tuple[str, ...] = ()  # what a prompt or form shows for each of `choices`
    validator: str = ""  # the template's own Jinja check; copier runs it
    folder: Path | None = field(default=None, compare=False)  # the template's, for `when`

    @property
    def values(self) -> tuple[str, ...]:
        """The finite set of answers of a choice or bool question (empty for free text)."""
        if self.type == "bool":
            return ("true", "false")
        return self.choices

    def is_asked(self, answers: dict[str, Any]) -> bool:
        """Evaluate `when` the way copier does: a bool, or Jinja rendered to a truthy string.

        A condition that cannot be rendered yet (a filter given an answer not known yet, or
        what only copier knows while rendering, such as `_copier_conf`) counts as asked: off
        a terminal the answer is then asked for, or taken from --defaults.
        """
        if isinstance(self.when, bool):
            return self.when
        if self.folder is None:
            raise TypeError(f"question {self.name}: a Jinja `when` needs the template folder")
        environment = copier_environment(self.folder)
        try:
            rendered = environment.from_string(str(self.when)).render(**answers)
        except (jinja2.UndefinedError, TypeError, ValueError):  # a filter given an unknown
            return True
        except jinja2.TemplateError as error:
            message = " ".join(str(error.message or error).split())
            raise TemplateError(
                f"the template's question '{self.name}' has a `when` that is not valid Jinja: "
                f"{message}"
            ) from None
        return _cast_to_bool(rendered)

    def rendered_default(self, answers: dict[str, Any]) -> Any:
        """The default as copier offers it: Jinja in a string default rendered with `answers`
        (left as written when it needs what only copier knows while rendering)."""
        if not isinstance(self.default, str) or self.folder is None:
            return self.default
        try:
            return copier_environment(self.folder).from_string(self.default).render(**answers)
        except (jinja2.TemplateError, TypeError):
            return self.default


_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _loader_for(folder: Path) -> type[yaml.SafeLoader]:
    """A safe (C-accelerated) YAML loader that understands copier's `!include` of files
    relative to `folder`, the folder of the file being read."""

    class IncludingLoader(_FAST_LOADER):  # type: ignore[misc, valid-type]
        pass

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        documents: dict[str, Any] = {}
        for path in sorted(folder.glob(loader.construct_scalar(node))):  # type: ignore[arg-type]
            with path.open(encoding="utf-8") as stream:
                documents.update(yaml.load(stream, Loader=_loader_for(path.parent)) or {})  # noqa: S506
        return documents

    IncludingLoader.add_constructor("!include", include)
    return IncludingLoader


def _choices(name: str, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, dict):
        return tuple(str(value) for value in raw.values())
    if raw is not None and not isinstance(raw, list):
        raise TemplateError(
            f"the template's question '{name}' has choices that are neither a list nor a mapping"
        )
    return tuple(str(value) for value in raw or ())


def _labels(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, dict):
        return tuple(str(label) for label in raw)
    return tuple(str(value) for value in raw or ())


def load_copier_config(copier_yml: Path) -> dict[str, Any]:
    """copier.yml with its `!include`d documents merged, as copier reads it."""
    from webstarter.template_errors import yaml_message

    merged: dict[str, Any] = {}
    try:
        with copier_yml.open(encoding="utf-8") as stream:
            for document in yaml.load_all(stream, Loader=_loader_for(copier_yml.parent)):
                if document is not None and not isinstance(document, dict):
                    raise TemplateError(
                        f"{copier_yml.name} must map settings and questions to their values, "
                        f"not hold a {type(document).__name__}"
                    )
                merged.update(document or {})
    except yaml.YAMLError as error:
        raise TemplateError(yaml_message(error)) from None
    return merged


def load_questions(copier_yml: Path) -> dict[str, Question]:
    """Every question that ends up in the answers file (computed `when: false` ones excluded)."""
    merged = load_copier_config(copier_yml)
    questions = {}
    for name, spec in merged.items():
        if name.startswith("_") or not isinstance(spec, dict) or spec.get("when") is False:
            continue
        questions[name] = Question(
            name=name,
            help=str(spec.get("help", name)),
            choices=_choices(name, spec.get("choices")),
            has_default="default" in spec,
            when=spec.get("when", True),
            type=str(spec.get("type", "str")),
            default=spec.get("default"),
            labels=_labels(spec.get("choices")),
            validator=str(spec.get("validator") or ""),
            folder=copier_yml.parent.resolve(),
        )
    return questions


def check_type(key: str, value: str, kind: str) -> None:
    """copier casts answers itself, silently or with a traceback: check the cast first."""
    reason = _type_problem(value, kind)
    if reason:
        raise AnswerError(key, reason, f"--data {key}={value}: {reason}")


def _type_problem(value: str, kind: str) -> str | None:
    if kind == "bool" and value.strip().lower() not in BOOL_WORDS:
        return "answer true or false"
    if kind in ("int", "float"):
        try:
            int(value) if kind == "int" else float(value)
        except ValueError:
            return f"answer a {kind} number"
    if kind == "yaml":
        try:
            yaml.safe_load(value)
        except yaml.YAMLError as error:
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            return f"answer valid YAML ({problem})"
    if kind == "json":
        try:
            json.loads(value)
        except ValueError as error:
            return f"answer valid JSON ({error})"
    return None


def parse_data(pairs: list[str], questions: dict[str, Question]) -> dict[str, str]:
    """Turn repeated `--data KEY=VALUE` options into answers, rejecting unknown keys."""
    return check_answers([key_value(pair, "--data") for pair in pairs], questions)


def check_answers(items: list[tuple[str, str]], questions: dict[str, Question]) -> dict[str, str]:
    """Answers as text, checked before copier runs: unknown keys and uncastable values are
    refused (the last of repeated keys wins). `new --data` and `serve` both come here."""
    answers: dict[str, str] = {}
    for key, value in items:
        if key not in questions:
            known = ", ".join(sorted(questions))
            reason = f"the template has no such question; known: {known}"
            raise AnswerError(key, reason, f"--data {key}: {reason}")
        check_type(key, value, questions[key].type)
        answers[key] = value
    return answers


def missing_answers(
    questions: dict[str, Question], answers: dict[str, Any], use_defaults: bool
) -> list[str]:
    """Questions that would need a prompt: unanswered, asked, and (with defaults) default-less.

    As in copier, a later `when` sees the earlier questions' defaults where no answer was given.
    """
    missing = []
    context = dict(answers)
    for question in questions.values():
        if question.name in answers:
            continue
        if question.is_asked(context) and not (use_defaults and question.has_default):
            missing.append(question.name)
        elif question.has_default:
            context[question.name] = question.rendered_default(context)
    return missing
