"""The `webstarter` command line: parses arguments and prints results, nothing more.

Every command's logic lives in its own module, imported inside the command, so that
`webstarter --help` and `webstarter list` never pay for importing copier.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from webstarter import __version__
from webstarter.errors import WebstarterError

app = typer.Typer(
    name="webstarter",
    help="Generate working, production-minded Python web starters and keep them up to date.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False, soft_wrap=True)


def fail(message: str, code: int) -> typer.Exit:
    """Print one `error:` line to stderr and return the Exit to raise."""
    _console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def reports_errors(command: F) -> F:
    """Turn the tool's errors and Ctrl-C into one line and an exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WebstarterError as error:
            raise fail(error.message, error.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written", 130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"webstarter {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate working, production-minded Python web starters and keep them up to date."""


@app.command("list")
@reports_errors
def list_frameworks(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the frameworks webstarter can generate."""
    from webstarter.catalog import catalog

    frameworks = catalog().values()
    if as_json:
        typer.echo(json.dumps([fw.as_dict() for fw in frameworks], indent=2))
        return
    from rich.table import Table

    table = Table(title="webstarter frameworks")
    for column in ("framework", "kind", "pin", "latest release"):
        table.add_column(column, no_wrap=True)
    for fw in frameworks:
        released = f"{fw.latest_version} ({fw.latest_date:%b %Y})"
        table.add_row(fw.key, fw.kind, fw.requirement, released)
    console = _console()
    console.print(table)
    console.print("`webstarter info NAME` shows a framework's pros, cons and facts.")


@app.command()
@reports_errors
def info(
    name: Annotated[str, typer.Argument(help="Framework key, e.g. flask.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a framework's pros, cons and facts."""
    from webstarter.catalog import get_framework

    fw = get_framework(name)
    if as_json:
        typer.echo(json.dumps(fw.as_dict(), indent=2))
        return
    console = _console()
    months = fw.months_since_release()
    console.print(f"[bold]{fw.name}[/] ({fw.kind}): {fw.summary}", markup=True)
    facts = {
        "pin": f"{fw.requirement}  ({fw.version_note})",
        "latest release": f"{fw.latest_version} on {fw.latest_date} ({months} months ago)",
        "maintenance": fw.maintained,
        "tests": fw.test_tool,
        "production": ", ".join(fw.commands.servers),
        "docs": fw.docs,
    }
    for label, value in facts.items():
        console.print(f"  {label + ':':<16}{value}")
    console.print("[green]Pros[/]", markup=True)
    for item in fw.pros:
        console.print(f"  + {item}")
    console.print("[red]Cons[/]", markup=True)
    for item in fw.cons:
        console.print(f"  - {item}")


@app.command()
@reports_errors
def new(
    dest: Annotated[
        Path | None, typer.Argument(help="Folder to create (default: the project name).")
    ] = None,
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="django, flask, pyramid, ...")
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", help="Answer a template question: KEY=VALUE (repeatable)."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Use the default for every unanswered question.")
    ] = False,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="List the files it would write; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add to an existing non-empty folder; never overwrites."),
    ] = False,
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="git init and commit the new project.")
    ] = True,
) -> None:
    """Generate a new project from a starter template."""
    from webstarter.generate import Request, default_destination, generate

    request = Request(
        dest=dest or default_destination(data or []),
        framework=framework,
        data=list(data or []),
        defaults=defaults,
        pretend=pretend,
        force=force,
        git=git,
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
    )
    result = generate(request)
    _print_generated(result, pretend)


def _print_generated(result: Any, pretend: bool) -> None:
    from webstarter.catalog import get_framework
    from webstarter.next_steps import next_steps

    console = _console()
    if pretend:
        for relative in result.files:
            console.print(f"would create  {result.dest / relative}")
        console.print(f"{len(result.files)} files; nothing was written (--pretend)")
        return
    console.print(f"[green]created[/] {result.dest} ({len(result.files)} files)", markup=True)
    for relative in result.kept:
        console.print(f"[yellow]kept your[/] {relative} (the template's version was not written)",
                      markup=True)
    console.print(f"git: {result.git}")
    fw = get_framework(result.answers["framework"])
    console.print("\nNext steps:")
    for line in next_steps(fw, result.dest, str(result.answers["package_name"])):
        console.print(f"  {line}")


def main() -> None:
    """Console-script entry point."""
    app()
