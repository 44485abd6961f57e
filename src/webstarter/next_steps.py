"""The "next steps" printed after `webstarter new`, built from the catalog's commands."""

from __future__ import annotations

import shlex
from pathlib import Path

from webstarter.catalog import Framework


def render_command(template: str, package: str, host: str = "127.0.0.1", port: int = 8000) -> str:
    """Fill a catalog command's {package}, {host} and {port} placeholders."""
    return template.format(package=package, host=host, port=port)


def next_steps(framework: Framework, dest: Path, package: str, database: str = "none") -> list[str]:
    """Shell lines that take a new project from generated to serving on localhost."""
    try:
        where = dest.relative_to(Path.cwd())
    except ValueError:
        where = dest
    lines = [
        f"cd {shlex.quote(str(where))}",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[dev]'",
        "pytest",
        "export DEBUG=true",
        *(
            [f"export DATABASE_URL=postgresql://localhost/{package}"]
            if database == "postgresql"
            else []
        ),
        *(
            [render_command(framework.commands.migrate, package)]
            if database != "none" and framework.commands.migrate
            else []
        ),
        *(render_command(step, package) for step in framework.commands.prepare),
        render_command(framework.commands.dev, package),
    ]
    return [*lines, "# README.md explains configuration and the production servers"]
