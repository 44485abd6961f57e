"""Turn `webstarter smoke` options into a checked SmokeRun, rejecting bad input up front."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from webstarter.catalog import load_catalog
from webstarter.errors import NoFreePort, PostgresError, UsageError
from webstarter.questions import load_questions
from webstarter.resources import template_root
from webstarter.smoke.containers import find_docker
from webstarter.smoke.durations import durations_file
from webstarter.smoke.from_release import Origin, templates_history
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
from webstarter.template_source import installed_version


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
    from_release: str | None = None  # `--from`: vX.Y.Z or "previous"


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
    from_version = _from_version(options.from_release) if options.from_release else None
    if from_version:
        cells = [replace(cell, origin=from_version) for cell in cells]
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
    origin = None
    if from_version:
        # The installed templates update from the shipped history; others from their own.
        history = None
        if template != template_root().resolve():
            history = templates_history(template, workroot / "templates-under-test.git")
        origin = Origin(from_version, installed_version(), history)
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
        origin=origin,
        durations=durations_file(),
    )


def _from_version(spec: str) -> str:
    """`--from`: a release older than the templates under test (labelled as installed)."""
    from webstarter.releases import resolve_version
    from webstarter.update import version_key

    version = resolve_version(spec)
    if version_key(version) >= version_key(installed_version()):
        raise UsageError(
            f"--from {spec}: v{version} is not older than the templates under test "
            f"(v{installed_version()}); nothing to update from"
        )
    return version
