"""granian's worker and thread settings, side by side on one default starter.

    python benchmarks/granian_settings.py [-f NAME] [--rounds 2] [--seconds 5] [--json FILE]

The starter (sqlite, generated from this checkout, installed, migrated, three notes created) is
served by its catalog granian command under each setting below at once, on 127.0.0.1; then
`wrk -t1 -c16` runs on GET /api/hello (no database) and GET /api/notes (a database read) of
each in turn, round after round. Printed: the median requests per second, each setting's
ratio to granian's own defaults measured in the same rounds, and the median p99 latency.

granian's defaults for WSGI: one worker, and blocking threads (the Python threads that run
the app) half the backpressure, which is the backlog (1024) divided by the workers: 512
threads per worker, all contending for one GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from default_starter import generate
from loopback import serving, wrk

from webstarter.catalog import catalog
from webstarter.next_steps import render_command
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port
from webstarter.smoke.runner import base_env
from webstarter.smoke.venvs import bin_dir, install_project

# name -> granian's flags, in place of the catalog command's own worker and thread flags.
SETTINGS: dict[str, list[str]] = {
    "defaults (1 worker, 512 threads)": ["--workers", "1"],
    "1 worker, 1 thread": ["--workers", "1", "--blocking-threads", "1"],
    "1 worker, 2 threads": ["--workers", "1", "--blocking-threads", "2"],
    "1 worker, 4 threads": ["--workers", "1", "--blocking-threads", "4"],
    "2 workers, 1 thread": ["--workers", "2", "--blocking-threads", "1"],
    "2 workers, 2 threads": ["--workers", "2", "--blocking-threads", "2"],
}
TUNED = ("--workers", "--blocking-threads", "--runtime-threads", "--backpressure")


def with_flags(argv: list[str], flags: list[str]) -> list[str]:
    """The catalog command without its own worker and thread flags, then `flags`."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in TUNED:
            skip = True
        else:
            kept.append(arg)
    return [kept[0], *flags, *kept[1:]]


ROUTES = ("/api/hello", "/api/notes")


def prepare(framework: str, scratch: Path) -> tuple[Path, Path, str, dict[str, str]]:
    project = scratch / framework
    package = generate(framework, project)
    venv = install_project(project, base_env(), scratch / "install.log", 900, True)
    env = {
        **base_env(),
        "SECRET_KEY": "x" * 50,
        "PATH": f"{bin_dir(venv)}{os.pathsep}{os.environ['PATH']}",
    }
    env = {key: value for key, value in env.items() if not key.startswith("GRANIAN_")}
    migrate = shlex.split(catalog()[framework].commands.migrate)
    subprocess.run(migrate, cwd=project, env=env, check=True, capture_output=True)
    return project, venv, package, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", default="flask", choices=list(catalog()))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    command = catalog()[args.framework].commands.servers["granian"]
    with tempfile.TemporaryDirectory(prefix="webstarter-granian-") as scratch:
        project, venv, package, env = prepare(args.framework, Path(scratch))
        bases: dict[str, str] = {}
        with contextlib.ExitStack() as stack:
            for name, flags in SETTINGS.items():
                port = free_port()
                argv = shlex.split(render_command(command, package, "127.0.0.1", port))
                argv = with_flags([str(bin_dir(venv) / argv[0]), *argv[1:]], flags)
                base = f"http://127.0.0.1:{port}"
                stack.enter_context(serving(argv, project, env, base + ROUTES[0]))
                bases[name] = base
            first = next(iter(bases.values()))
            for title in ("first", "second", "third"):  # one database, shared by all of them
                note = {"title": title, "body": "granian settings"}
                if fetch(first + "/api/notes", "POST", note).status != 201:
                    sys.exit("could not create a note through the API")
            for base in bases.values():
                for route in ROUTES:
                    wrk(base + route, 1)  # warm up
            runs: dict[tuple[str, str], list[tuple[float, float]]] = {
                (name, route): [] for name in bases for route in ROUTES
            }
            for round_ in range(args.rounds):
                for name, base in bases.items():
                    for route in ROUTES:
                        runs[name, route].append(wrk(base + route, args.seconds))
                print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    reference = next(iter(SETTINGS))
    rows = []
    print(f"{args.framework}: granian settings, wrk -t1 -c16, {args.rounds} x {args.seconds} s")
    print("| setting | route | req/s | vs defaults | p99 ms |")
    print("|---|---|---|---|---|")
    for (name, route), measured in runs.items():
        peers = runs[reference, route]
        ratio = median(rps / peer[0] for (rps, _), peer in zip(measured, peers, strict=True))
        row = {
            "framework": args.framework, "setting": name, "route": route,
            "rps": round(median(rps for rps, _ in measured)), "vs_defaults": round(ratio, 2),
            "p99_ms": round(median(p99 for _, p99 in measured), 1),
        }  # fmt: skip
        rows.append(row)
        print(f"| {name} | {route} | {row['rps']} | {row['vs_defaults']:.2f}x | {row['p99_ms']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
