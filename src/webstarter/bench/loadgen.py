"""The load generators `webstarter bench` drives: wrk (with a Lua script that counts every
status) or oha (its JSON output). Never a home-made one: their numbers are the ones people
know how to read and compare.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from webstarter.errors import BenchFailed, NoLoadGenerator, UsageError
from webstarter.smoke.probes import PROXY_HEADERS
from webstarter.smoke.processes import forget, kill_group, spawn, tail

LUA = Path(__file__).resolve().parent / "lua"
MARKER = "WEBSTARTER-BENCH "
# Every request goes out as a TLS proxy on this machine would forward it, as the smoke probes
# send them: the starters trust X-Forwarded-* from 127.0.0.1 (Django's proxy middleware, like
# granian's proxy helper, reads X-Forwarded-Proto only next to X-Forwarded-For); without them
# a production Django answers plain HTTP with a redirect.
HEADERS = dict(PROXY_HEADERS)
PATHS = {"api": "/api/hello", "page": "/"}
WRITES_STOP_BEFORE_END = 2  # seconds of reads only at the end of a notes run
INSTALL_HINT = "install wrk (apt-get install wrk) or oha (https://github.com/hatoo/oha)"


@dataclass
class LoadResult:
    """What one load run measured: requests, latency, socket errors and every status."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Requests that got no HTTP answer: refused or reset connections, timeouts."""
        return sum(self.socket_errors.values())

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)


@dataclass(frozen=True)
class LoadGenerator:
    """A load generator found on PATH."""

    name: str  # "wrk" or "oha"
    path: str
    version: str

    def run(
        self,
        base: str,
        route: str,
        seconds: int,
        connections: int,
        threads: int,
        workdir: Path,
        writes: bool = True,
    ) -> LoadResult:
        """Load `route` of the server at `base` for `seconds` (the notes route without its
        writes when `writes` is false: a warm-up); the run is killed if it overruns its time
        by half a minute."""
        if self.name == "wrk":
            script = workdir / f"{route}.lua"
            script.write_text(wrk_script(route, seconds, writes), encoding="utf-8")
            argv = self._wrk_argv(base, route, seconds, connections, threads, script)
        else:
            argv = self._oha_argv(base, route, seconds, connections)
        log = workdir / f"{self.name}.log"
        log.write_text("", encoding="utf-8")
        process = spawn(argv, workdir, _plain_env(), log)
        try:
            code = process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait()
            raise BenchFailed(f"{self.name} did not finish within {seconds + 30:.0f} s") from None
        except BaseException:  # Ctrl-C: stop it before it leaves the registry
            kill_group(process)
            process.wait()
            raise
        finally:
            forget(process)
        output = log.read_text(encoding="utf-8", errors="replace")
        if code != 0:
            raise BenchFailed(f"{self.name} exited with {code}: {tail(log, 3)}")
        return parse_wrk(output) if self.name == "wrk" else parse_oha(output)

    def _wrk_argv(
        self, base: str, route: str, seconds: int, connections: int, threads: int, script: Path
    ) -> list[str]:
        return [
            self.path,
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            base + PATHS.get(route, "/api/notes"),
        ]

    def _oha_argv(self, base: str, route: str, seconds: int, connections: int) -> list[str]:
        if route == "notes":
            raise UsageError("the notes route needs wrk (its Lua script mixes reads and writes)")
        headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
        return [
            self.path,
            "--no-tui",
            *_oha_json_flag(self.path),
            "-z",
            f"{seconds}s",
            "-c",
            str(connections),
            "-t",
            "5s",
            *headers,
            base + PATHS[route],
        ]


def wrk_script(route: str, seconds: int, writes: bool = True) -> str:
    """The Lua for one route: the settings, the shared counting, then the route's requests.
    Writes stop WRITES_STOP_BEFORE_END seconds before the end (at once without `writes`)."""
    headers = ", ".join(f'["{name}"] = "{value}"' for name, value in HEADERS.items())
    writes_until = int(time.time() + max(1.0, seconds - WRITES_STOP_BEFORE_END)) if writes else 0
    prelude = (
        f'bench_path = "{PATHS.get(route, "/api/notes")}"\n'
        f"bench_headers = {{{headers}}}\n"
        f"bench_writes_until = {writes_until}\n"
    )
    body = (LUA / ("notes.lua" if route == "notes" else "read.lua")).read_text(encoding="utf-8")
    return prelude + (LUA / "counting.lua").read_text(encoding="utf-8") + body


def parse_wrk(output: str) -> LoadResult:
    """Read the JSON line counting.lua's done() printed."""
    line = next((ln for ln in output.splitlines() if ln.startswith(MARKER)), None)
    if line is None:
        raise BenchFailed(f"wrk printed no result line: {output.strip()[-300:]}")
    raw = json.loads(line[len(MARKER) :])
    return LoadResult(
        requests=int(raw["requests"]),
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        socket_errors={name: int(n) for name, n in raw["errors"].items()},
        statuses={int(code): int(n) for code, n in raw["statuses"].items()},
    )


def parse_oha(output: str) -> LoadResult:
    """Read oha's JSON report (seconds for durations and latencies)."""
    start = output.find("{")
    if start < 0:
        raise BenchFailed(f"oha printed no JSON report: {output.strip()[-300:]}")
    raw = json.loads(output[start:])
    statuses = {int(code): int(n) for code, n in raw.get("statusCodeDistribution", {}).items()}
    errors = {str(what): int(n) for what, n in (raw.get("errorDistribution") or {}).items()}
    percentiles = raw.get("latencyPercentiles", {})
    return LoadResult(
        requests=sum(statuses.values()),
        seconds=float(raw["summary"]["total"]),
        p50_ms=float(percentiles.get("p50") or 0) * 1000,
        p99_ms=float(percentiles.get("p99") or 0) * 1000,
        socket_errors=errors,
        statuses=statuses,
    )


def _oha_json_flag(path: str) -> list[str]:
    """oha 1.5 replaced `-j` with `--output-format json`; ask its --help which it takes."""
    help_text = subprocess.run(  # noqa: S603 - the oha found on PATH
        [path, "--help"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    return ["--output-format", "json"] if "--output-format" in help_text else ["-j"]


def _plain_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}


def find_load_generator(prefer: str | None = None) -> LoadGenerator:
    """wrk, else oha, from PATH (or only `prefer`); none is a one-line error saying how to
    install one."""
    names = [prefer] if prefer else ["wrk", "oha"]
    for name in names:
        path = shutil.which(name)
        if path:
            return LoadGenerator(name, path, _version(path))
    wanted = f"{prefer} is" if prefer else "no load generator (wrk or oha) is"
    raise NoLoadGenerator(f"{wanted} on PATH: {INSTALL_HINT}")


def _version(path: str) -> str:
    """The generator's first line of `-v`/`--version` (wrk prints its banner and exits 1)."""
    flag = "-v" if Path(path).name == "wrk" else "--version"
    try:
        done = subprocess.run(  # noqa: S603 - a program found on PATH
            [path, flag], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].split(" Copyright")[0].strip() if text else "unknown"
