"""The `webstarter` command line: parses arguments and prints results, nothing more.

Every command's logic lives in its own module, imported inside the command, so that
`webstarter --help` and `webstarter list` never pay for importing copier.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

import webstarter
from webstarter.errors import WebstarterError
from webstarter.exit_codes import ERROR

app = typer.Typer(
    name="webstarter",
    help="Generate working, production-minded Python web starters and keep them up to date.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

if TYPE_CHECKING:  # real types for the helpers, without importing them at start-up
    from rich.console import Console

    from webstarter.bench.run import BenchOptions, Measurement
    from webstarter.generate import Result
    from webstarter.smoke.matrix import Cell
    from webstarter.smoke.runner import CellResult, SmokeRun

F = TypeVar("F", bound=Callable[..., Any])


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, markup=False, soft_wrap=True)


def fail(message: str, code: int) -> typer.Exit:
    """Print one `error:` line to stderr and return the Exit to raise."""
    from rich.markup import escape

    text = f"[bold red]error:[/] {escape(message)}"  # a message's own [brackets] stay text
    _console(stderr=True).print(text, markup=True, highlight=False)
    return typer.Exit(code)


def reports_errors(command: F) -> F:
    """Turn the tool's errors and Ctrl-C into one line and an exit code, never a traceback.

    Errors of copier, cookiecutter, Jinja, YAML and git that a user can cause get their own
    line too (webstarter.template_errors); only what is left is "unexpected", a bug to report.
    """
    return _reporting(command, None)


def reports_errors_as(code: int) -> Callable[[F], F]:
    """`reports_errors`, but every error exits with `code`: for commands whose other exit codes
    are answers a script branches on (`check`'s "behind", `update`'s "conflicts")."""
    return lambda command: _reporting(command, code)


def _reporting(command: F, error_code: int | None) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WebstarterError as error:
            raise fail(error.message, error_code or error.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written", 130) from None
        except Exception as error:
            if os.environ.get("WEBSTARTER_DEBUG") or _is_cli_exit(error):
                raise
            from webstarter.template_errors import explain

            known = explain(error)  # a bad template, a missing extension, a failed task...
            if known is not None:
                raise fail(known.message, error_code or known.exit_code) from None
            raise fail(
                f"unexpected {type(error).__name__}: {error} "
                "(set WEBSTARTER_DEBUG=1 for the traceback, and please report it)",
                error_code or 1,
            ) from None

    return wrapper  # type: ignore[return-value]


def _is_cli_exit(error: Exception) -> bool:
    """typer's and click's own exits (Exit, Abort, usage errors) pass through untouched."""
    return type(error).__module__.split(".")[0] in {"typer", "click"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"webstarter {webstarter.__version__}")
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
    # A plain aligned table: `list` must answer as fast as typer itself imports (rich's table
    # module alone would double that), see benchmarks/cli_speed.py.
    rows = [("framework", "kind", "pin", "latest release")]
    rows += [
        (fw.key, fw.kind, fw.requirement, f"{fw.latest_version} ({fw.latest_date:%b %Y})")
        for fw in frameworks
    ]
    _print_columns(rows)
    typer.echo("\n`webstarter info NAME` shows a framework's pros, cons and facts.")


def _print_columns(rows: Sequence[tuple[str, ...]]) -> None:
    """A plain aligned table, header first: never cut to the terminal's width."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        typer.echo("  ".join(cells).rstrip())
        if index == 0:
            typer.echo("  ".join("-" * width for width in widths))


@app.command()
@reports_errors
def info(
    name: Annotated[str, typer.Argument(help="Framework key, e.g. flask.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a framework's pros, cons and facts, and the last figures bench measured here."""
    from webstarter.bench import last_run
    from webstarter.catalog import get_framework

    fw = get_framework(name)
    measured = last_run.load(fw.key)
    if as_json:
        typer.echo(json.dumps({**fw.as_dict(), "last_bench": measured}, indent=2))
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
    if measured is None:
        console.print(
            f"Measured here: nothing yet (`webstarter bench -f {fw.key}` measures the starter "
            "against the bare framework; docs/benchmarks.md has this project's figures)"
        )
        return
    console.print("Measured here by webstarter bench (its last figures for each route):")
    for source, rows in last_run.describe(measured):
        console.print(f"  {source}", markup=False)
        for row in rows:
            console.print(f"    {row}", markup=False)


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
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help="A copier or cookiecutter template: folder, git repo or URL (gh:, gl:), or zip.",
        ),
    ] = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="Git tag, branch or commit of --template.")
    ] = None,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Allow --template to run its tasks, migrations or hooks."),
    ] = False,
) -> None:
    """Generate a new project from a starter template (or any copier/cookiecutter one)."""
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
        template=template,
        ref=ref,
        trust=trust,
    )
    result = generate(request)
    _print_generated(result, pretend)


def _print_generated(result: Result, pretend: bool) -> None:
    """Plain echo, not rich: `new` must stay faster than `copier copy` (benchmarks/)."""
    from webstarter.catalog import get_framework
    from webstarter.next_steps import next_steps

    if pretend:
        for relative in result.files:
            typer.echo(f"would create  {result.dest / relative}")
        typer.echo(f"{len(result.files)} files; nothing was written (--pretend)")
        return
    typer.secho(f"created {result.dest} ({len(result.files)} files)", fg="green")
    for relative in result.kept:
        typer.secho(f"kept your {relative} (the template's version was not written)", fg="yellow")
    typer.echo(f"git: {result.git}")
    if result.kind == "cookiecutter":
        typer.echo(
            "updates: webstarter cannot update cookiecutter projects; cruft "
            "(https://cruft.github.io/cruft/) can link this project to its template"
        )
    if result.kind != "webstarter":
        typer.echo(f"\nNext steps:\n  cd {result.dest}\n  # see the project's README")
        return
    fw = get_framework(result.answers["framework"])
    typer.echo("\nNext steps:")
    database = str(result.answers.get("database", "none"))
    for line in next_steps(fw, result.dest, str(result.answers["package_name"]), database):
        typer.echo(f"  {line}")


UPDATE_HELP = """Bring a project to the installed template version, keeping your edits.

Exit codes: 0 updated (or already current without --branch), 1 conflicts to resolve,
2 error (with --branch, all is put back), 3 already current with --branch (no branch).
With --branch NAME the update happens on branch NAME, made or reset at the current commit;
--commit commits it there (conflict markers included) and checks out the starting branch
again, which never changes. --pr-text FILE writes a pull request's title (first line) and
body (after a blank line): versions, CHANGELOG entries, changed files, conflicts."""


@app.command(help=UPDATE_HELP)
@reports_errors_as(ERROR)
def update(
    path: Annotated[Path, typer.Argument(help="The project to update.")] = Path("."),
    to: Annotated[
        str | None, typer.Option("--to", help="Template version (default: the installed one).")
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change; change nothing.")
    ] = False,
    conflict: Annotated[
        str, typer.Option("--conflict", help="How to show conflicts: inline or rej.")
    ] = "inline",
    recopy: Annotated[
        bool,
        typer.Option("--recopy", help="Re-render from the new version (fallback; see docs)."),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", help="Answer a new question: KEY=VALUE (repeatable)."),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Let a third-party template run its tasks and migrations."),
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option("--branch", help="Update on this branch, made or reset at HEAD."),
    ] = None,
    commit: Annotated[
        bool,
        typer.Option("--commit", help="With --branch: commit there, then go back."),
    ] = False,
    pr_text: Annotated[
        Path | None,
        typer.Option("--pr-text", help="Write a pull request's title and body to this file."),
    ] = None,
) -> None:
    from webstarter.errors import UsageError
    from webstarter.exit_codes import Update

    if conflict not in ("inline", "rej"):
        raise UsageError(f"--conflict must be inline or rej, not '{conflict}'")
    if commit and not branch:
        raise UsageError(
            "--commit needs --branch NAME: an update is committed on its own branch, never on "
            "the one you are on"
        )
    if pretend and (branch or pr_text):
        raise UsageError("--pretend changes nothing: it takes neither --branch nor --pr-text")
    console = _console()
    if conflict == "rej":
        console.print(
            "warning: --conflict rej keeps the template's side in the file and moves YOUR side "
            "of each conflicting hunk into a .rej file next to it: review every .rej"
        )
    options: dict[str, Any] = {
        "to": to,
        "conflict": conflict,
        "recopy": recopy,
        "data": list(data or []),
        "trust": trust,
    }
    if branch:
        from webstarter.update_branch import update_on_branch

        outcome = update_on_branch(path, branch, commit, **options)
        result = outcome.update
        if outcome.status == "current":
            console.print(f"{result.project} is already on template v{result.old}; no branch made")
            raise typer.Exit(Update.CURRENT)
    else:
        from webstarter.update import update as run_update

        result = run_update(path, pretend=pretend, **options)
        if result.old == result.new and not recopy:
            console.print(f"{result.project} is already on template v{result.new}")
            return
    verb = "would update" if pretend else "updated"
    where = f" on branch {branch}" if branch else ""
    console.print(
        f"{verb} {result.project} from v{result.old} to v{result.new}{where} ({result.mode})"
    )
    for name in result.changed:
        console.print(f"  changed  {name}")
    if result.conflicts:
        console.print(f"{len(result.conflicts)} file(s) with conflicts:")
        for name in result.conflicts:
            console.print(f"  conflict {name}")
    if pr_text:
        from webstarter.pr_text import write

        write(pr_text, result, branch)
        console.print(f"pull request text: {pr_text}")
    if branch and commit:
        console.print(
            f"committed {outcome.commit} on {branch}; back on {outcome.back_on}, unchanged"
        )
    elif result.conflicts:
        console.print("resolve the conflicts (remove the markers), then commit")
    elif not pretend:
        console.print("review with `git diff`, run the tests, then commit")
    if result.conflicts:
        raise typer.Exit(Update.CONFLICTS)


CHECK_HELP = """Compare a project with the newest template version: the installed templates,
or for a third-party copier template its source's newest version tag.

Exit codes: 0 current, 1 behind (run `webstarter update`), 3 ahead (upgrade webstarter),
2 error: not a git repository, no answers file, unreadable or unreachable template."""


@app.command(help=CHECK_HELP)
@reports_errors_as(ERROR)
def check(
    path: Annotated[Path, typer.Argument(help="The project to check.")] = Path("."),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: status, versions, changelog entries.")
    ] = False,
) -> None:
    from webstarter.errors import WebstarterError
    from webstarter.exit_codes import Check
    from webstarter.update import check as run_check

    try:
        result = run_check(path)
    except WebstarterError as error:
        if as_json:  # a CI script reading stdout still gets a status
            typer.echo(json.dumps({"path": str(path), "status": "error", "error": error.message}))
        raise fail(error.message, ERROR) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    elif result.status == "current":
        _console().print(f"up to date: template v{result.project}")
    elif result.status == "behind":
        _console().print(
            f"behind: project on v{result.project}, newest template v{result.latest}; "
            "run `webstarter update`"
        )
        for release in result.changes:
            _console().print(f"  v{release.version}: {release.count} change(s) in the CHANGELOG")
    else:
        _console().print(
            f"ahead: project on v{result.project}, newer than v{result.latest}"
            + ("; upgrade webstarter" if result.is_webstarter else "")
        )
    raise typer.Exit(Check[result.status.upper()])


@app.command()
@reports_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    template: Annotated[
        Path | None,
        typer.Option("--template", help="A local fork of webstarter's templates to serve."),
    ] = None,
    max_renders: Annotated[
        int, typer.Option("--max-renders", min=1, max=64, help="Renders running at once.")
    ] = 2,
) -> None:
    """Serve the page and HTTP API to choose, preview and download starters (needs [web])."""
    from webstarter.web.server import ServeOptions, prepare, run

    options = ServeOptions(host=host, port=port, template=template, max_renders=max_renders)
    version = prepare(options)
    shown = f"[{host}]" if ":" in host else host
    source = f"the fork in {template}" if template else f"webstarter's templates v{version}"
    typer.echo(f"serving {source} on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    run(options)


@app.command()
@reports_errors
def smoke(
    framework: Annotated[
        list[str] | None,
        typer.Option("--framework", "-f", help="Framework to test (repeatable; default: all)."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="Run cells with this answer: KEY=VALUE (repeatable)."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Only each framework's default answers.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Cells run in parallel (default: cores); the slowest of the last run start first.",
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep every cell's folder, not only failed ones.")
    ] = False,
    json_report: Annotated[
        Path | None, typer.Option("--json", help="Write a JSON report to this file.")
    ] = None,
    junit_report: Annotated[
        Path | None, typer.Option("--junit", help="Write a JUnit XML report to this file.")
    ] = None,
    template: Annotated[
        Path | None, typer.Option("--template", help="Template root or checkout to test.")
    ] = None,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Where cells run (default: a temp folder).")
    ] = None,
    pip: Annotated[
        bool, typer.Option("--pip", help="Install with venv + pip instead of the bundled uv.")
    ] = False,
    no_containers: Annotated[
        bool,
        typer.Option(
            "--no-containers",
            help="Skip the container step (shown as skipped; refused when CI is set).",
        ),
    ] = False,
    postgres_url: Annotated[
        str | None,
        typer.Option(
            "--postgres-url",
            envvar="WEBSTARTER_POSTGRES_URL",
            help="Administrator URL of a PostgreSQL server for database cells.",
        ),
    ] = None,
    from_release: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="VERSION",
            help="Start every cell at this older release (vX.Y.Z or 'previous'): generate, "
            "add a user's edits, update to the templates under test, then run the cell.",
        ),
    ] = None,
) -> None:
    """Generate, install, lint, test and serve every template: the CI smoke matrix."""
    from webstarter.smoke.plan import SmokeOptions, plan
    from webstarter.smoke.reports import write_json, write_junit

    smoke_run = plan(
        SmokeOptions(
            frameworks=list(framework or []),
            options=list(option or []),
            quick=quick,
            jobs=jobs,
            keep=keep,
            json_report=json_report,
            junit_report=junit_report,
            template=template,
            workdir=workdir,
            use_uv=not pip,
            postgres_url=postgres_url,
            containers=not no_containers,
            from_release=from_release,
        )
    )
    console = _console()
    console.print(
        f"smoke: {len(smoke_run.cells)} cells, {smoke_run.jobs} at a time, "
        f"{'uv' if smoke_run.use_uv else 'pip'}, in {smoke_run.workroot}"
    )
    docker = smoke_run.containers.docker
    console.print(
        f"containers: {docker.client} (daemon {docker.server_version})"
        if docker
        else f"containers: none ({smoke_run.containers.reason})"
    )
    console.print(f"postgresql: {smoke_run.postgres.describe()}")
    if origin := smoke_run.origin:
        under_test = origin.history or "the installed templates"
        console.print(
            f"from: v{origin.version}, with a user's edits, updated to v{origin.target} "
            f"({under_test})"
        )
    try:
        results = _run_with_progress(smoke_run, console)
    except KeyboardInterrupt:
        raise fail(
            f"interrupted; every cell and server was stopped ({smoke_run.workroot})", 130
        ) from None
    _print_summary(console, results)
    if json_report:
        write_json(results, json_report)
    if junit_report:
        write_junit(results, junit_report)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _run_with_progress(smoke_run: SmokeRun, console: Console) -> list[CellResult]:
    """Live progress on a terminal (a bar and the running cells); plain lines elsewhere."""
    if not console.is_terminal:
        return smoke_run.run(
            on_start=lambda cell: console.print(f"  start  {cell.name}"),
            on_done=lambda result: console.print(_cell_line(result)),
        )
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    running: set[str] = set()
    columns = (
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=len(smoke_run.cells))

        def started(cell: Cell) -> None:
            running.add(cell.name)
            progress.update(task, description="running: " + ", ".join(sorted(running)))

        def done(result: CellResult) -> None:
            running.discard(result.cell.name)
            progress.console.print(_cell_line(result))
            progress.update(task, advance=1, description="running: " + ", ".join(sorted(running)))

        return smoke_run.run(on_start=started, on_done=done)


def _cell_line(result: CellResult) -> str:
    if result.ok:
        return f"  pass   {result.cell.name} ({result.seconds:.1f} s)"
    failed = result.failed
    where = f"{failed.name}: {failed.detail}" if failed else "start: no step ran"
    return f"  FAIL   {result.cell.name} at {where}"


def _print_summary(console: Console, results: list[CellResult]) -> None:
    from rich.table import Table

    from webstarter.smoke.processes import tail

    table = Table(title="smoke summary")
    for column in ("cell", "result", "seconds", "steps"):
        table.add_column(column)
    for result in results:
        verdict = "pass" if result.ok else f"FAIL at {result.failed.name if result.failed else '-'}"
        steps = " ".join(
            f"{step.name}:{'skipped' if step.skipped else f'{step.seconds:.0f}s'}"
            for step in result.steps
        )
        table.add_row(result.cell.name, verdict, f"{result.seconds:.1f}", steps)
    console.print(table)
    for result in results:
        if (failed := result.failed) is not None:
            console.print(f"\n{result.cell.name} failed at {failed.name}: {failed.detail}")
            if failed.log is not None:
                console.print(f"last lines of {failed.log}:\n{tail(failed.log)}")
            console.print(f"folder kept: {result.folder}")
    skipped = [(result, step) for result in results for step in result.skipped]
    if skipped:
        console.print(f"\nSKIPPED {len(skipped)} step(s), so this run proves less:")
        for result, step in skipped:
            console.print(f"  {result.cell.name} {step.name}: {step.detail}")
    passed = sum(1 for result in results if result.ok)
    console.print(f"{passed} passed, {len(results) - passed} failed")


@app.command()
@reports_errors
def bench(
    framework: Annotated[
        list[str] | None,
        typer.Option("--framework", "-f", help="Framework to measure (repeatable; default: all)."),
    ] = None,
    server: Annotated[
        list[str] | None,
        typer.Option("--server", help="Server to boot (repeatable; default: the README's first)."),
    ] = None,
    route: Annotated[
        list[str] | None,
        typer.Option("--route", help="api, page or notes (repeatable; default: api)."),
    ] = None,
    duration: Annotated[
        int, typer.Option("--duration", help="Seconds of load per run (at most 300).")
    ] = 10,
    connections: Annotated[
        int, typer.Option("--connections", help="Open connections during the load.")
    ] = 16,
    threads: Annotated[int, typer.Option("--threads", help="Load generator threads.")] = 1,
    warmup: Annotated[
        int, typer.Option("--warmup", help="Seconds of unmeasured load first (no writes).")
    ] = 1,
    rounds: Annotated[
        int,
        typer.Option(
            "--rounds",
            help="Runs of each app, starter and bare alternating; medians reported (at most 20).",
        ),
    ] = 1,
    json_report: Annotated[
        Path | None, typer.Option("--json", help="Write the figures as JSON to this file.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a bar chart of req/s (.png or .svg).")
    ] = None,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir",
            help="Where starters are built and kept; later runs reuse them (default: temp).",
        ),
    ] = None,
    load_generator: Annotated[
        str | None, typer.Option("--load-generator", help="wrk or oha (default: wrk, else oha).")
    ] = None,
) -> None:
    """Load each starter and its bare framework on loopback: req/s, latency, errors, memory."""
    from webstarter.bench import last_run
    from webstarter.bench.chart import check_chart_path, write_chart
    from webstarter.bench.report import HEADER, as_json, table_row, write_json
    from webstarter.bench.run import Bench, BenchOptions, check_options
    from webstarter.errors import UsageError

    if load_generator not in (None, "wrk", "oha"):
        raise UsageError(f"--load-generator must be wrk or oha, not '{load_generator}'")
    if chart is not None:
        check_chart_path(chart)
    options = BenchOptions(
        frameworks=list(framework or []),
        servers=list(server or []),
        routes=list(route or ["api"]),
        duration=duration,
        connections=connections,
        threads=threads,
        warmup=warmup,
        rounds=rounds,
        workdir=workdir,
        load_generator=load_generator,
    )
    frameworks, generator = check_options(options)
    console = _console()
    console.print(
        f"bench: {', '.join(fw.key for fw in frameworks)}; {', '.join(options.routes)}; "
        f"{generator.name} ({generator.version}) {duration} s x {connections} connections"
        + (f", {rounds} rounds (medians)" if rounds > 1 else "")
    )
    try:
        result = Bench(
            options,
            on_status=lambda line: console.print(f"  {line}"),
            on_result=lambda m: console.print(f"    {_measured(m)}"),
        ).run()
    except KeyboardInterrupt:
        raise fail("interrupted; every server and load generator was stopped", 130) from None
    console.print()
    _print_columns([HEADER, *(table_row(m) for m in result.measurements)])
    data = as_json(result, _bench_command(options))
    try:
        last_run.save(data)  # for `webstarter info`
    except OSError as error:  # a cache that cannot be written costs only `info`'s figures
        console.print(f"note: the figures were not kept for `webstarter info`: {error}")
    if json_report:
        write_json(data, json_report)
        console.print(f"wrote {json_report}")
    if chart:
        write_chart(result.measurements, chart, f"{data['command']}  ({data['date'][:10]})")
        console.print(f"wrote {chart}")
    for problem in result.problems:
        console.print(f"FAIL {problem}")
    if result.problems:
        raise typer.Exit(1)


def _measured(m: Measurement) -> str:
    """One line per finished load run, while the others are still to come."""
    ratio = f" ({m.ratios['bare']:.2f}x bare)" if "bare" in m.ratios else ""
    problems = f"  FAIL: {'; '.join(m.problems)}" if m.problems else ""
    if len(m.rounds_rps) > 1:
        each = ", ".join(f"{rps:,.0f}" for rps in m.rounds_rps)
        ratio = f" (median of {each}){ratio}"
    cpu = ""
    if m.cpu_us_per_request:
        cpu_ratio = f" ({m.cpu_ratios['bare']:.2f}x bare)" if "bare" in m.cpu_ratios else ""
        cpu = f", server CPU {m.cpu_us_per_request:.0f} us/request{cpu_ratio}"
    return (
        f"{m.load.rps:,.0f} req/s{ratio}, p99 {m.load.p99_ms:.1f} ms, "
        f"{m.load.errors} errors, {m.load.non_2xx} non-2xx, peak RSS {m.peak_rss_mb:.0f} MB"
        f"{cpu}{problems}"
    )


def _bench_command(options: BenchOptions) -> str:
    """The command line that reproduces a bench run, for its report and chart."""
    import shlex

    parts = ["webstarter", "bench"]
    parts += [arg for name in options.frameworks for arg in ("-f", name)]
    parts += [arg for name in options.servers for arg in ("--server", name)]
    parts += [arg for name in options.routes for arg in ("--route", name)]
    parts += ["--duration", str(options.duration), "--connections", str(options.connections)]
    if options.threads != 1:
        parts += ["--threads", str(options.threads)]
    if options.rounds != 1:
        parts += ["--rounds", str(options.rounds)]
    if options.load_generator:
        parts += ["--load-generator", options.load_generator]
    return shlex.join(parts)


def main() -> None:
    """Console-script entry point."""
    app()
