"""Turn `webstarter smoke` options into a checked SmokeRun, rejecting bad input up front."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from webstarter.catalog import load_catalog
from webstarter.errors import NoFreePort, PostgresError, UsageError
from webstarter.questions import load_questions
from webstarter.resources import template_root
from webstarter.smoke.containers import find_docker
from webstarter.smoke.matrix import build_matrix, parse_options
from webstarter.smoke.postgres import (
    NO_SERVER,
    PostgresPolicy,
    PostgresServer,
    find_server_binaries,
)
from webstarter.smoke.processes import free_port
from webstarter.smoke.reports import check_writable
from webstarter.smoke.runner import ContainerPolicy, SmokeRun, resolve_template
from webstarter.smoke.venvs import find_uv


@dataclass
class SmokeOptions:
    frameworks: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    quick: bool = False
    jobs: int | None = None
    keep: bool = False
    json_report: Path | None = None
    junit_report: Path | None = None
    template: Path | None = None
    workdir: Path | None = None
    use_uv: bool = True
    postgres_url: str | None = None
    containers: bool = True


def plan(options: SmokeOptions) -> SmokeRun:
    """Validate everything that can be wrong before a single cell starts."""
    try:
        template = resolve_template(options.template) if options.template else template_root()
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    catalog = load_catalog(template / "catalog.yml")
    frameworks = []
    for name in options.frameworks or list(catalog):
        key = name.strip().lower()
        if key not in catalog:
            raise UsageError(f"unknown framework '{name}'; choose from: {', '.join(catalog)}")
        frameworks.append(key)
    questions = load_questions(template / "copier.yml")
    chosen = parse_options(options.options, questions)
    cells = build_matrix(frameworks, questions, chosen, defaults_only=options.quick)
    if not cells:
        raise UsageError("no cell to run: no chosen framework asks the chosen options")
    for report in (options.json_report, options.junit_report):
        if report is not None:
            check_writable(report)
    try:
        free_port()
    except NoFreePort as error:
        raise UsageError(str(error)) from None
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
        if not os.access(options.workdir, os.W_OK):
            raise UsageError(f"cannot write to --workdir '{options.workdir}'")
    in_ci = bool(os.environ.get("CI"))
    if not options.containers and in_ci:
        raise UsageError("--no-containers: CI is set, where the container step may not be skipped")
    given = None
    if options.postgres_url:
        try:
            given = PostgresServer.from_url(options.postgres_url)
        except PostgresError as error:
            raise UsageError(
                f"cannot reach PostgreSQL at {options.postgres_url}: {error}"
            ) from None
    workroot = Path(tempfile.mkdtemp(prefix="webstarter-smoke-", dir=options.workdir))
    bindir = None if given else find_server_binaries()
    postgres = PostgresPolicy(
        given,
        bindir,
        workroot / "postgres",
        reason="" if given or bindir else NO_SERVER,
        required=in_ci,
    )
    if options.containers:
        docker, reason = find_docker()
        containers = ContainerPolicy(docker, reason, required=in_ci, keep=options.keep)
    else:
        containers = ContainerPolicy(None, "--no-containers", keep=options.keep, disabled=True)
    return SmokeRun(
        template=template,
        cells=cells,
        workroot=workroot,
        jobs=options.jobs or max(1, os.cpu_count() or 1),
        keep=options.keep,
        use_uv=options.use_uv and find_uv() is not None,
        postgres=postgres,
        containers=containers,
    )
