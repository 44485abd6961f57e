"""The template's questions, read from copier.yml without importing copier.

webstarter checks `--data` keys and finds missing answers before copier runs, so that a typo
or a forgotten answer is one clear line instead of a prompt that can never be answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from webstarter.errors import UsageError


@cache
def _when_environment() -> jinja2.Environment:
    """One plain-text Jinja environment for every `when` condition (they render no HTML)."""
    return jinja2.Environment(autoescape=False)  # noqa: S701


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

    @property
    def values(self) -> tuple[str, ...]:
        """The finite set of answers of a choice or bool question (empty for free text)."""
        if self.type == "bool":
            return ("true", "false")
        return self.choices

    def is_asked(self, answers: dict[str, Any]) -> bool:
        """Evaluate `when` the way copier does: a bool, or Jinja rendered to a truthy string."""
        if isinstance(self.when, bool):
            return self.when
        rendered = _when_environment().from_string(str(self.when))
        return rendered.render(**answers).strip().lower() not in {"", "false", "0", "no", "none"}


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


def _choices(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, dict):
        return tuple(str(value) for value in raw.values())
    return tuple(str(value) for value in raw or ())


def load_copier_config(copier_yml: Path) -> dict[str, Any]:
    """copier.yml with its `!include`d documents merged, as copier reads it."""
    merged: dict[str, Any] = {}
    with copier_yml.open(encoding="utf-8") as stream:
        for document in yaml.load_all(stream, Loader=_loader_for(copier_yml.parent)):
            merged.update(document or {})
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
            choices=_choices(spec.get("choices")),
            has_default="default" in spec,
            when=spec.get("when", True),
            type=str(spec.get("type", "str")),
            default=spec.get("default"),
        )
    return questions


def _check_type(key: str, value: str, kind: str) -> None:
    """copier casts answers itself, silently or with a traceback: check the cast first."""
    if kind == "bool" and value.strip().lower() not in BOOL_WORDS:
        raise UsageError(f"--data {key}={value}: answer true or false")
    if kind in ("int", "float"):
        try:
            int(value) if kind == "int" else float(value)
        except ValueError:
            raise UsageError(f"--data {key}={value}: answer a {kind} number") from None


def parse_data(pairs: list[str], questions: dict[str, Question]) -> dict[str, str]:
    """Turn repeated `--data KEY=VALUE` options into answers, rejecting unknown keys."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--data '{pair}' is not KEY=VALUE")
        if key not in questions:
            known = ", ".join(sorted(questions))
            raise UsageError(f"--data {key}: the template has no such question; known: {known}")
        _check_type(key, value, questions[key].type)
        answers[key] = value
    return answers


def missing_answers(
    questions: dict[str, Question], answers: dict[str, Any], use_defaults: bool
) -> list[str]:
    """Questions that would need a prompt: unanswered, asked, and (with defaults) default-less."""
    missing = []
    for question in questions.values():
        if question.name in answers or not question.is_asked(answers):
            continue
        if use_defaults and question.has_default:
            continue
        missing.append(question.name)
    return missing
