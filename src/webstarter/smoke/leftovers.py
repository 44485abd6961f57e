"""Find template syntax that survived rendering: a `.jinja` file, or `{{`/`{%` in a file that
is not itself a template of the generated app (HTML and Jinja2 views legitimately hold them)."""

from __future__ import annotations

import re
from pathlib import Path

VIEW_SUFFIXES = frozenset({".html", ".jinja2", ".j2", ".tpl", ".pt", ".mako"})
MARKER = re.compile(r"(?<!\$)\{\{|\{%|\[\[ *_copier")  # `${{ ... }}` is GitHub Actions syntax
SKIP_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__"})


def unrendered(project: Path) -> list[str]:
    """Relative paths (with line numbers) of leftovers; empty when the render is complete."""
    found = []
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if SKIP_DIRS.intersection(relative.parts) or not path.is_file():
            continue
        if path.suffix == ".jinja" or "{{" in path.name or "{%" in path.name:
            found.append(relative.as_posix())
            continue
        if path.suffix in VIEW_SUFFIXES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if MARKER.search(line):
                found.append(f"{relative.as_posix()}:{number}")
    return found
