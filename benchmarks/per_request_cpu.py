"""CPU time per request of each starter's GET /api/hello, in-process, against its bare framework.

    python benchmarks/per_request_cpu.py [-f NAME ...] [-n 20000] [--rounds 5] [--workdir DIR]
                                         [--json FILE] [--instructions]

Each default starter (sqlite) is generated from this checkout, installed and migrated
(webstarter.bench.starters.prepare), and the bare apps of webstarter.bench.bare are written
beside it. This script then runs itself in the starter's venv (`--inside`), once per app and
round, alternating starter and bare so that a busy machine slows both alike: the app is
loaded the way the starter's granian command loads it (production settings, LOG_LEVEL
WARNING), called 1,000 times to warm up, then N times with a WSGI environ like the one
`webstarter bench` sends (loopback peer, X-Forwarded-For and -Proto: https) as granian passes
it (the process environment copied in, scheme http), and the process CPU time is divided by
N. No server, socket or load generator is involved, so the figure is
what the app itself costs per request, and far less sensitive to other load on the machine
than a req/s figure.

Printed: the median microseconds per request of each app, and each starter's ratio to each
bare app (bare time / starter time, the same sense as `webstarter bench`'s req/s ratio: 0.9
means the starter serves 90% of the bare framework's requests per CPU second).

With --instructions each app runs once under valgrind's callgrind instead (-n defaults to
1,000 there), and the figure is the count of instructions the N calls executed, divided by N:
the same for the same code whatever else the machine is doing, where CPU time on a shared
machine moves by a tenth or more between runs. Needs valgrind (apt-get install valgrind).

With --workdir the projects are kept there and reused by the next run (so that an edit to a
generated project's source, which is installed editable, can be measured at once).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WARMUP = 1000
MARKER = "PER-REQUEST-CPU "
PATH = "/api/hello"
THIS = Path(__file__).resolve()


# --- inside the starter's venv: the standard library and the app only -----------------------


def load_app(target: str, factory: bool) -> Any:
    """`module:attribute` as granian loads it; called first with --factory."""
    module_name, _, attribute = target.partition(":")
    sys.path.insert(0, os.getcwd())
    app = getattr(importlib.import_module(module_name), attribute)
    return app() if factory else app


def environ_for(path: str) -> dict[str, Any]:
    """A GET as `webstarter bench` sends it, with the environ granian builds for it: granian
    copies the server's whole process environment into every WSGI environ, and the scheme is
    the socket's (http); X-Forwarded-Proto is only a header until a trusted proxy is set."""
    return {
        **os.environ,
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "Granian",
        "wsgi.input_terminated": True,
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "HTTP_X_FORWARDED_FOR": "203.0.113.10",
        "HTTP_X_FORWARDED_PROTO": "https",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def measure(app: Any, path: str, requests: int, mark: Callable[[], object] = int) -> float:
    """CPU seconds per request of `requests` calls of `app` (after a warm-up). `mark` is
    called just before and just after the measured calls (callgrind dumps its counts there)."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    # Built once: copying the process environment out of os.environ (granian's own copy is
    # made in Rust) would cost more per call than some apps, and it is the server's work.
    base = environ_for(path)

    def call() -> None:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        body = app(environ, start_response)
        try:
            for _ in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()

    for _ in range(WARMUP):
        call()
    if not statuses[-1].startswith("200"):
        raise SystemExit(f"{path} answered {statuses[-1]}")
    statuses.clear()
    mark()
    started = time.process_time()
    for _ in range(requests):
        call()
    spent = time.process_time() - started
    mark()
    if any(not status.startswith("200") for status in statuses):
        raise SystemExit(f"{path} answered {sorted(set(statuses))}")
    return spent / requests


def inside(args: argparse.Namespace) -> None:
    app = load_app(args.target, args.factory)
    # Under callgrind (--dump-before=getppid) each os.getppid() call writes the counts so far.
    mark = os.getppid if args.instructions else int
    seconds = measure(app, args.path, args.requests, mark)
    print(MARKER + json.dumps({"seconds": seconds}), flush=True)


# --- outside: prepare the starters, run the rounds, print the table ---------------------------


def app_target(argv: list[str]) -> tuple[str, bool]:
    """The app a granian command serves (its last argument) and whether it is a factory."""
    return argv[-1], "--factory" in argv


def run_inside(
    python: Path,
    cwd: Path,
    env: dict[str, str],
    target: str,
    factory: bool,
    requests: int,
    instructions: bool = False,
) -> float:
    """CPU seconds per request, or with `instructions` instructions per request."""
    argv = [str(python), str(THIS), "--inside", "--target", target, "-n", str(requests)]
    if factory:
        argv.append("--factory")
    with tempfile.TemporaryDirectory(prefix="webstarter-callgrind-") as counts:
        out = Path(counts) / "callgrind.out"
        if instructions:
            argv = [
                "valgrind", "--tool=callgrind", "--dump-before=getppid",
                f"--callgrind-out-file={out}", *argv, "--instructions",
            ]  # fmt: skip
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise SystemExit(f"{target}: {done.stderr.strip()[-2000:] or done.stdout.strip()}")
        if instructions:
            # Dump 1: start-up and warm-up; dump 2: the measured calls.
            return callgrind_total(out.with_name(out.name + ".2")) / requests
    for line in done.stdout.splitlines():  # the app may log to standard output too
        if line.startswith(MARKER):
            return float(json.loads(line.removeprefix(MARKER))["seconds"])
    raise SystemExit(f"{target}: no figure in its output: {done.stdout[-500:]}")


def callgrind_total(dump: Path) -> int:
    for line in dump.read_text(encoding="utf-8").splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise SystemExit(f"{dump}: no totals line")


def outside(args: argparse.Namespace) -> None:
    from webstarter.bench.bare import write_bare
    from webstarter.bench.starters import prepare, prepare_or_reuse
    from webstarter.catalog import catalog
    from webstarter.smoke.venvs import bin_dir

    frameworks = catalog()
    names = args.framework or list(frameworks)
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    # Instruction counts do not move between runs: one round, and fewer calls (valgrind runs
    # the interpreter some fifty times slower).
    rounds = 1 if args.instructions else args.rounds
    key = "kinstr" if args.instructions else "us"  # the JSON's unit
    requests = args.requests or (1000 if args.instructions else 20000)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="webstarter-cpu-") as scratch:
        root = args.workdir or Path(scratch)
        for name in names:
            framework = frameworks[name]
            work = root / name
            logs = work / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            project = work / "project"
            if args.workdir:
                starter, _ = prepare_or_reuse(framework, project, logs)
            else:
                starter = prepare(framework, project, logs)
            venv_bin = bin_dir(starter.venv)
            env = starter.env()
            shutil.rmtree(work / "bare", ignore_errors=True)  # startproject wants a new folder
            bares = write_bare(name, work / "bare", venv_bin, env, logs / "bare.log")
            granian = starter.argv(framework.commands.servers["granian"])
            apps = [("starter", starter.project, env, *app_target(granian))]
            for bare in bares:
                target, factory = app_target(bare.argv(granian))
                apps.append((bare.label, bare.folder, {**env, **bare.env}, target, factory))
            spent: dict[str, list[float]] = {label: [] for label, *_ in apps}
            for round_ in range(rounds):
                for label, cwd, app_env, target, factory in apps:
                    seconds = run_inside(
                        venv_bin / "python", cwd, app_env, target, factory, requests,
                        args.instructions,
                    )  # fmt: skip
                    spent[label].append(seconds)
                print(f"{name}: round {round_ + 1} of {rounds}", file=sys.stderr)
            scale = 1e-3 if args.instructions else 1e6  # k instructions, or µs
            cost = {label: statistics.median(values) * scale for label, values in spent.items()}
            row: dict[str, Any] = {"framework": name, f"starter_{key}": round(cost["starter"], 1)}
            for label, *_ in apps[1:]:
                row[f"{label}_{key}"] = round(cost[label], 1)
                row[f"ratio_{label}"] = round(cost[label] / cost["starter"], 2)
            rows.append(row)
    unit = "k instructions" if args.instructions else "µs"
    what = "instructions" if args.instructions else "CPU µs"
    print(f"GET {PATH} in-process, {what} per request (median of {rounds} x {requests})")
    print(
        f"| framework | starter {unit} | bare {unit} | ratio | bare-no-middleware {unit} | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        extra = (
            f"{row[f'bare-no-middleware_{key}']} | {row['ratio_bare-no-middleware']:.2f}x"
            if f"bare-no-middleware_{key}" in row
            else "- | -"
        )
        print(
            f"| {row['framework']} | {row[f'starter_{key}']} | {row[f'bare_{key}']} | "
            f"{row['ratio_bare']:.2f}x | {extra} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-f", "--framework", action="append", default=[])
    parser.add_argument("-n", "--requests", type=int, default=0, help="default 20000 (1000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--instructions", action="store_true", help="count with callgrind")
    # --inside: run by the script itself in the starter's venv.
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--factory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", default=PATH, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args)
    else:
        outside(args)


if __name__ == "__main__":
    main()
