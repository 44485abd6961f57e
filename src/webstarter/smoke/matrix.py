"""The smoke matrix: which generated projects (cells) prove that the templates work.

Every framework runs with its defaults. Each other value of each choice question then runs
at least once per framework, several questions varied in the same cell (pairwise coverage of
framework x value), instead of the full cross-product that grows too fast to run. Questions
with fewer values are spread over the cells, so that they meet different values of the others.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from webstarter.errors import UsageError
from webstarter.questions import Question
from webstarter.texts import key_value

# Answers that cannot run on this interpreter are left out of the matrix, not failed.
UNINSTALLABLE = {
    "python_version": lambda value: tuple(map(int, value.split("."))) > sys.version_info[:2],
}


@dataclass(frozen=True)
class Cell:
    """One generated project: a framework and the answers that differ from the defaults, and
    the older release it is first generated at (`smoke --from`), if any."""

    framework: str
    options: tuple[tuple[str, str], ...] = ()
    origin: str = ""  # a release version: generated there, then updated

    @property
    def name(self) -> str:
        name = self.framework
        if self.options:
            name += f"[{','.join(f'{key}={value}' for key, value in self.options)}]"
        return f"{name} from v{self.origin}" if self.origin else name

    @property
    def data(self) -> dict[str, str]:
        return dict(self.options)


def _default(question: Question) -> str:
    if question.type == "bool":
        return "true" if question.default else "false"
    return str(question.default)


def _varied_values(question: Question) -> list[str]:
    skip = UNINSTALLABLE.get(question.name, lambda value: False)
    return [v for v in question.values if v != _default(question) and not skip(v)]


def parse_options(pairs: list[str], questions: dict[str, Question]) -> dict[str, list[str]]:
    """`--option KEY=VALUE` (repeatable): the values each question must take in the matrix."""
    chosen: dict[str, list[str]] = {}
    for pair in pairs:
        key, value = key_value(pair, "--option")
        question = questions.get(key)
        if question is None or key == "framework":
            known = ", ".join(sorted(name for name in questions if name != "framework"))
            raise UsageError(f"--option {key}: no such question; known: {known}")
        if question.values and value not in question.values:
            choices = ", ".join(question.values)
            raise UsageError(f"--option {key}={value}: not one of {choices}")
        chosen.setdefault(key, []).append(value)
    return chosen


def build_matrix(
    frameworks: list[str],
    questions: dict[str, Question],
    options: dict[str, list[str]] | None = None,
    defaults_only: bool = False,
) -> list[Cell]:
    """Cells for the frameworks: chosen options as given, else defaults plus pairwise cover."""
    cells: list[Cell] = []
    for framework in frameworks:
        asked = [
            q
            for q in questions.values()
            if q.name != "framework" and q.is_asked({"framework": framework})
        ]
        if options:
            axes = {
                key: values for key, values in options.items() if any(q.name == key for q in asked)
            }
            if not axes:
                continue
            width = max(len(values) for values in axes.values())
            for index in range(width):
                picked = tuple(
                    (key, values[min(index, len(values) - 1)]) for key, values in axes.items()
                )
                cells.append(Cell(framework, picked))
            continue
        cells.append(Cell(framework))
        if defaults_only:
            continue
        axes = {q.name: _varied_values(q) for q in asked if q.values}
        axes = {key: values for key, values in axes.items() if values}
        width = max((len(values) for values in axes.values()), default=0)
        # Spread the shorter axes so that their values do not all meet in the first cell:
        # a one-value axis (a bool) takes the first cell, a longer one ends on the last.
        # Otherwise docker=false would ride with database=postgresql, and no postgresql
        # cell would build its image.
        start = {
            key: 0 if len(values) == 1 else width - len(values) for key, values in axes.items()
        }
        for index in range(width):
            picked = tuple(
                (key, values[index - start[key]])
                for key, values in axes.items()
                if 0 <= index - start[key] < len(values)
            )
            cells.append(Cell(framework, picked))
    return list(dict.fromkeys(cells))
