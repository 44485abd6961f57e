"""`webstarter bench`: generate each starter, install and migrate it, boot the chosen servers
on loopback and load each route with wrk or oha, next to the framework's bare hello world
under the same server command, so that every figure comes with its ratio.

Every process is started through the smoke harness's registry; an interrupt stops them all.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from webstarter.bench.bare import Bare, write_bare
from webstarter.bench.loadgen import LoadGenerator, LoadResult, find_load_generator
from webstarter.bench.serving import Server
from webstarter.bench.starters import Starter, prepare_or_reuse
from webstarter.bench.usage import PeakRss, session_cpu
from webstarter.catalog import Framework, catalog, get_framework
from webstarter.errors import BenchFailed, UsageError
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port, kill_all
from webstarter.smoke.venvs import bin_dir

ROUTES = ("api", "page", "notes")
HOST = "127.0.0.1"
MAX_DURATION = 300  # seconds per load run
MAX_CONNECTIONS = 1024
MAX_THREADS = 64
MAX_ROUNDS = 20
STARTER = "starter"


@dataclass(frozen=True)
class BenchOptions:
    frameworks: list[str] = field(default_factory=list)  # default: all
    servers: list[str] = field(default_factory=list)  # default: each starter's first
    routes: list[str] = field(default_factory=lambda: ["api"])
    duration: int = 10  # wrk takes whole seconds
    connections: int = 16
    threads: int = 1
    warmup: int = 1
    rounds: int = 1  # runs of every app, alternating starter and bare; medians reported
    workdir: Path | None = None
    load_generator: str | None = None  # wrk or oha; default: wrk, else oha


@dataclass
class NotesCheck:
    """The notes route's bookkeeping: the count before and after the measured run, and the
    creates (201) and deletes (204) the load generator saw."""

    before: int
    after: int
    creates: int
    deletes: int

    @property
    def consistent(self) -> bool:
        return self.after - self.before == self.creates - self.deletes


@dataclass
class Measurement:
    """One app (the starter or a bare reference) under one server and one route."""

    framework: str
    server: str
    route: str
    app: str  # "starter", "bare", "bare-no-middleware"
    load: LoadResult
    peak_rss_mb: float
    sigterm_exit: int | None = None
    server_cpu_s: float = 0.0  # CPU seconds of the server's processes during the load
    notes: NotesCheck | None = None
    ratios: dict[str, float] = field(default_factory=dict)  # starter only: vs each bare app
    # Starter only: each bare app's server CPU per request over the starter's (the same sense
    # as `ratios`: 0.9 means the starter serves 90% of the bare app's requests per CPU second).
    cpu_ratios: dict[str, float] = field(default_factory=dict)
    # With --rounds: req/s of every round in order, and what failed in the rounds whose run
    # is not the one shown (the median's).
    rounds_rps: list[float] = field(default_factory=list)
    other_rounds_problems: list[str] = field(default_factory=list)

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU microseconds per request (0 where /proc is not there)."""
        return self.server_cpu_s * 1e6 / self.load.requests if self.load.requests else 0.0

    @property
    def problems(self) -> list[str]:
        """What makes this run a failure: no answer, a 5xx, any other answer than a 2xx (a
        redirect or a 4xx: the figures would measure something else), or notes that do not
        add up."""
        found = []
        if self.load.errors:
            found.append(f"{self.load.errors} socket errors")
        if self.load.server_errors:
            found.append(f"{self.load.server_errors} 5xx answers")
        if self.load.non_2xx > self.load.server_errors:
            others = {s: n for s, n in self.load.statuses.items() if not 200 <= s < 300}
            found.append(f"answers other than 2xx: {others}")
        if self.notes is not None and not self.notes.consistent:
            found.append(
                f"note count went {self.notes.before} -> {self.notes.after}, but "
                f"{self.notes.creates} creates - {self.notes.deletes} deletes = "
                f"{self.notes.creates - self.notes.deletes}"
            )
        return found + self.other_rounds_problems


def median_round(rounds: list[Measurement]) -> Measurement:
    """One app's rounds as one Measurement: the run with the median req/s (the lower middle
    one for an even count), every round's req/s beside it, the highest peak RSS, and every
    other round's failures, so that a bad round is never hidden by a good median."""
    ranked = sorted(range(len(rounds)), key=lambda index: rounds[index].load.rps)
    chosen = rounds[ranked[(len(rounds) - 1) // 2]]
    chosen.rounds_rps = [round(m.load.rps, 1) for m in rounds]
    chosen.peak_rss_mb = max(m.peak_rss_mb for m in rounds)
    chosen.other_rounds_problems = [
        f"round {number}: {problem}"
        for number, m in enumerate(rounds, 1)
        if m is not chosen
        for problem in m.problems
    ]
    return chosen


def median_ratio(starter: list[Measurement], bare: list[Measurement]) -> float | None:
    """The median of each round's starter/bare ratio (each pair ran back to back, so a
    machine whose speed drifts over the run moves both alike)."""
    ratios = [s.load.rps / b.load.rps for s, b in zip(starter, bare, strict=True) if b.load.rps]
    return round(statistics.median(ratios), 2) if ratios else None


def median_cpu_ratio(starter: list[Measurement], bare: list[Measurement]) -> float | None:
    """The median of each round's bare/starter server CPU per request (None without /proc)."""
    ratios = [
        b.cpu_us_per_request / s.cpu_us_per_request
        for s, b in zip(starter, bare, strict=True)
        if s.cpu_us_per_request and b.cpu_us_per_request
    ]
    return round(statistics.median(ratios), 2) if ratios else None


@dataclass
class BenchResult:
    options: BenchOptions
    generator: LoadGenerator
    measurements: list[Measurement] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [
            f"{m.framework} {m.server} {m.route} {m.app}: {problem}"
            for m in self.measurements
            for problem in m.problems
        ]


def check_options(options: BenchOptions) -> tuple[list[Framework], LoadGenerator]:
    """Refuse bad input before anything is generated or started."""
    frameworks = [get_framework(name) for name in options.frameworks] or list(catalog().values())
    unknown_routes = [route for route in options.routes if route not in ROUTES]
    if unknown_routes:
        raise UsageError(f"unknown route '{unknown_routes[0]}'; choose from {', '.join(ROUTES)}")
    known = {server for fw in frameworks for server in fw.commands.servers}
    unknown = [server for server in options.servers if server not in known]
    if unknown:
        raise UsageError(
            f"unknown server '{unknown[0]}' for {', '.join(fw.key for fw in frameworks)}; "
            f"choose from {', '.join(sorted(known))}"
        )
    if not 0 < options.duration <= MAX_DURATION:
        raise UsageError(f"--duration must be between 1 and {MAX_DURATION} seconds")
    if not 1 <= options.connections <= MAX_CONNECTIONS:
        raise UsageError(f"--connections must be between 1 and {MAX_CONNECTIONS}")
    if not 1 <= options.threads <= MAX_THREADS:
        raise UsageError(f"--threads must be between 1 and {MAX_THREADS}")
    if not 0 <= options.warmup <= MAX_DURATION:
        raise UsageError(f"--warmup must be between 0 and {MAX_DURATION} seconds")
    if not 1 <= options.rounds <= MAX_ROUNDS:
        raise UsageError(f"--rounds must be between 1 and {MAX_ROUNDS}")
    generator = find_load_generator(options.load_generator)
    if generator.name != "wrk" and "notes" in options.routes:
        raise UsageError("the notes route needs wrk (its Lua script mixes reads and writes)")
    return frameworks, generator


def servers_of(framework: Framework, wanted: list[str]) -> list[str]:
    """The chosen servers this framework's starter has; by default the README's first."""
    servers = list(framework.commands.servers)
    return [server for server in servers if server in wanted] if wanted else servers[:1]


class Bench:
    """Runs the measurements; `on_status` and `on_result` let the CLI print as it goes."""

    def __init__(
        self,
        options: BenchOptions,
        on_status: Callable[[str], None] = lambda line: None,
        on_result: Callable[[Measurement], None] = lambda measurement: None,
    ) -> None:
        self.options = options
        self.on_status = on_status
        self.on_result = on_result

    def run(self) -> BenchResult:
        frameworks, generator = check_options(self.options)
        result = BenchResult(self.options, generator)
        try:
            if self.options.workdir is not None:
                self.options.workdir.mkdir(parents=True, exist_ok=True)
                self._run_all(frameworks, generator, self.options.workdir.resolve(), result)
            else:
                with tempfile.TemporaryDirectory(prefix="webstarter-bench-") as scratch:
                    self._run_all(frameworks, generator, Path(scratch), result)
        except KeyboardInterrupt:
            kill_all()
            raise
        return result

    def _run_all(
        self,
        frameworks: list[Framework],
        generator: LoadGenerator,
        root: Path,
        result: BenchResult,
    ) -> None:
        for framework in frameworks:
            servers = servers_of(framework, self.options.servers)
            if not servers:
                self.on_status(f"{framework.key}: none of the chosen servers; skipped")
                continue
            folder = root / framework.key
            self.on_status(f"{framework.key}: generating, installing (uv) and migrating")
            starter, reused = prepare_or_reuse(framework, folder / "project", folder / "logs")
            if reused:
                self.on_status(f"{framework.key}: reusing the starter kept in {folder}")
            bares: list[Bare] = []
            if any(route != "notes" for route in self.options.routes):
                shutil.rmtree(folder / "bare", ignore_errors=True)  # startproject wants a new one
                bares = write_bare(
                    framework.key,
                    folder / "bare",
                    bin_dir(starter.venv),
                    starter.env(),
                    folder / "logs" / "bare.log",
                )
            for server in servers:
                for route in self.options.routes:
                    self._route(starter, bares, server, route, generator, folder, result)

    def _route(
        self,
        starter: Starter,
        bares: list[Bare],
        server: str,
        route: str,
        generator: LoadGenerator,
        folder: Path,
        result: BenchResult,
    ) -> None:
        """The starter and each bare reference (none for notes: it has no database), once
        per round; odd rounds start with the starter, even ones with the references."""
        command = starter.framework.commands.servers[server]
        references = [] if route == "notes" else bares
        runs: dict[str, list[Measurement]] = {STARTER: [], **{b.label: [] for b in references}}
        apps: list[Bare | None] = [None, *references]
        for number in range(1, self.options.rounds + 1):
            if self.options.rounds > 1:
                self.on_status(f"{starter.framework.key} {server} {route}: round {number}")
            order = apps if number % 2 else apps[::-1]
            for bare in order:
                label = bare.label if bare else STARTER
                at = folder / "runs" / f"{server}-{route}-{label}"
                if self.options.rounds > 1:
                    at = at.with_name(f"{at.name}-round{number}")
                runs[label].append(
                    self._measure(starter, bare, server, command, route, generator, at)
                )
        combined = median_round(runs[STARTER])
        for bare in references:
            peer = median_round(runs[bare.label])
            if (ratio := median_ratio(runs[STARTER], runs[bare.label])) is not None:
                combined.ratios[bare.label] = ratio
            if (cpu := median_cpu_ratio(runs[STARTER], runs[bare.label])) is not None:
                combined.cpu_ratios[bare.label] = cpu
            result.measurements.append(peer)
            self.on_result(peer)
        result.measurements.append(combined)
        self.on_result(combined)

    def _measure(
        self,
        starter: Starter,
        bare: Bare | None,
        server: str,
        command: str,
        route: str,
        generator: LoadGenerator,
        runs: Path,
    ) -> Measurement:
        """One app under load; its server log and the load generator's files go in `runs`."""
        label = bare.label if bare else STARTER
        port = free_port(HOST)
        argv = starter.argv(command, HOST, port)
        cwd, env, ready = starter.project, starter.env(), "/healthz"
        if bare is not None:
            argv, cwd, env = bare.argv(argv), bare.folder, starter.env(**bare.env)
            ready = "/api/hello"  # a bare app has no /healthz
        runs.mkdir(parents=True, exist_ok=True)
        base = f"http://{HOST}:{port}"
        options = self.options
        self.on_status(f"{starter.framework.key} {server} {route} {label}: loading")
        server_process = Server(argv, cwd, env, runs / "server.log", base, ready)
        with server_process as running, PeakRss(running.pid) as memory:
            if options.warmup:
                warm = (options.warmup, options.connections, 1, runs)
                generator.run(base, route, *warm, writes=False)
            before = _note_total(base) if route == "notes" else 0
            cpu_before = session_cpu(running.pid)
            load = generator.run(
                base, route, options.duration, options.connections, options.threads, runs
            )
            server_cpu = session_cpu(running.pid) - cpu_before
            notes = None
            if route == "notes":
                notes = NotesCheck(before, _note_total(base), load.count(201), load.count(204))
        return Measurement(
            framework=starter.framework.key,
            server=server,
            route=route,
            app=label,
            load=load,
            peak_rss_mb=round(memory.peak_mb, 1),
            server_cpu_s=round(server_cpu, 3),
            sigterm_exit=running.exit_code,
            notes=notes,
        )


def _note_total(base: str) -> int:
    response = fetch(base + "/api/notes?per_page=1")
    if response.status != 200:
        raise BenchFailed(f"{base}/api/notes answered {response.status}, not 200")
    import json

    total = json.loads(response.body).get("total")
    if not isinstance(total, int):
        raise BenchFailed(f"{base}/api/notes has no integer 'total'")
    return total
