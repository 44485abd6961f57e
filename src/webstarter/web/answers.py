"""Answers from an HTTP request, checked exactly as `webstarter new --data` checks them.

Query parameters, form fields and a JSON object all become `KEY=VALUE` text and go through
`questions.check_answers` (unknown questions and uncastable values refused) and the catalog's
framework lookup; copier's own choices and validators then run during the render. An answer is
data: it is handed to copier as a value and never rendered as a template.
"""

from __future__ import annotations

import re
from typing import Any

from webstarter.catalog import get_framework
from webstarter.errors import AnswerError
from webstarter.questions import Question, check_answers, missing_answers
from webstarter.web.source import ServedTemplate

MAX_FIELDS = 64
DEFAULT_FOLDER = "demo"  # the project's folder (and so its default name) when none is given
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$")


def json_items(body: Any) -> list[tuple[str, str]]:
    """A JSON object's answers as text: strings as they are, booleans as true/false."""
    if not isinstance(body, dict):
        raise AnswerError("body", "the JSON body must be an object of answers")
    items = []
    for key, value in body.items():
        if isinstance(value, bool):
            items.append((key, "true" if value else "false"))
        elif isinstance(value, str | int | float):
            items.append((key, str(value)))
        else:
            raise AnswerError(key, "answer a string, a number or a boolean")
    return items


def check(items: list[tuple[str, str]], template: ServedTemplate) -> dict[str, str]:
    """The answers to render with, or an AnswerError naming the first refused field."""
    if len(items) > MAX_FIELDS:
        raise AnswerError("body", f"at most {MAX_FIELDS} answers")
    questions = template.questions()
    answers = check_answers(items, questions)
    if "framework" in answers:
        answers["framework"] = get_framework(answers["framework"], template.catalog()).key
    missing = missing_answers(questions, answers, use_defaults=True)
    if missing:
        name = missing[0]
        choices = questions[name].values
        hint = f": choose one of {', '.join(choices)}" if choices else ""
        raise AnswerError(name, f"{name} is required{hint}")
    return answers


def folder_name(answers: dict[str, str]) -> str:
    """The project's folder, as `webstarter new` names it: after `project_name`, else `demo`.

    A name that is not a plain folder name keeps `demo`: copier's validator then refuses the
    project name itself, with the template's message.
    """
    name = answers.get("project_name", "").strip()
    return name if _PLAIN_NAME.match(name) and ".." not in name else DEFAULT_FOLDER


def asked(questions: dict[str, Question], answers: dict[str, Any]) -> dict[str, bool]:
    """Which questions copier would ask for these answers (their `when`), in order; later
    conditions see earlier defaults, as in copier."""
    context = dict(answers)
    shown = {}
    for question in questions.values():
        shown[question.name] = question.is_asked(context)
        if question.name not in context and question.has_default:
            context[question.name] = question.rendered_default(context)
    return shown


def rendered_defaults(
    questions: dict[str, Question], answers: dict[str, Any], computed: dict[str, Any]
) -> dict[str, Any]:
    """Each question's default as copier would offer it after these answers (the form's
    placeholders: the description names the chosen framework, the year is this year's).
    `computed` holds the template's hidden values (its catalog) that defaults may use."""
    context = {**computed, "_folder_name": folder_name(answers), **answers}
    defaults = {}
    for question in questions.values():
        if question.has_default:
            defaults[question.name] = question.rendered_default(context)
            context.setdefault(question.name, defaults[question.name])
    return defaults
