"""granian's worker and thread settings, side by side on one default starter.

    python benchmarks/granian_settings.py [-f NAME] [--rounds 2] [--seconds 5] [--json FILE]

The starter (sqlite, generated from this checkout, installed, migrated, three notes created) is
served by its catalog granian command under each setting below at once, on 127.0.0.1; then
wrk (16 connections, one thread) runs on GET /api/hello (no database) and GET /api/notes (a
database read) of each in turn, round after round. Printed: the median requests per second,
each setting's ratio to granian's own defaults measured in the same rounds, and the median p99
latency.

granian's defaults for WSGI: one worker, and blocking threads (the Python threads that run
the app) half the backpressure, which is the backlog (1024) divided by the workers: 512
threads per worker, all contending for one GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from statistics import median

from webstarter.bench.loadgen import LoadResult, find_load_generator
from webstarter.bench.serving import Server
from webstarter.bench.starters import prepare
from webstarter.catalog import catalog
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port

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
ROUTES = {"api": "/api/hello", "notes": "/api/notes"}  # notes: reads only (writes=False)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", default="flask", choices=list(catalog()))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    framework = catalog()[args.framework]
    generator = find_load_generator()
    runs: dict[tuple[str, str], list[LoadResult]] = {
        (name, route): [] for name in SETTINGS for route in ROUTES
    }
    with tempfile.TemporaryDirectory(prefix="webstarter-granian-") as scratch:
        work = Path(scratch)
        (work / "logs").mkdir()
        starter = prepare(framework, work / "project", work / "logs")
        env = {k: v for k, v in starter.env().items() if not k.startswith("GRANIAN_")}
        bases: dict[str, str] = {}
        with contextlib.ExitStack() as stack:
            for index, (name, flags) in enumerate(SETTINGS.items()):
                port = free_port()
                argv = with_flags(
                    starter.argv(framework.commands.servers["granian"], port=port), flags
                )
                base = f"http://127.0.0.1:{port}"
                log = work / "logs" / f"server-{index}.log"
                stack.enter_context(Server(argv, starter.project, env, log, base))
                bases[name] = base
            first = next(iter(bases.values()))
            for title in ("first", "second", "third"):  # one database, shared by all of them
                note = {"title": title, "body": "granian settings"}
                if fetch(first + "/api/notes", "POST", note).status != 201:
                    sys.exit("could not create a note through the API")
            for round_ in range(args.rounds + 1):  # round 0 warms every server up
                for name, base in bases.items():
                    for route in ROUTES:
                        seconds = args.seconds if round_ else 1
                        result = generator.run(base, route, seconds, 16, 1, work, writes=False)
                        if result.errors or result.non_2xx:
                            sys.exit(
                                f"{name} {route}: {result.errors} errors, {result.non_2xx} non-2xx"
                            )
                        if round_:
                            runs[name, route].append(result)
                print(f"round {round_} of {args.rounds} done", file=sys.stderr, flush=True)
    reference = next(iter(SETTINGS))
    rows = []
    load = f"{generator.name} 16 connections, {args.rounds} x {args.seconds} s"
    print(f"{args.framework}: granian settings, {load}")
    print("| setting | route | req/s | vs defaults | p99 ms |")
    print("|---|---|---|---|---|")
    for (name, route), measured in runs.items():
        peers = runs[reference, route]
        ratio = median(run.rps / peer.rps for run, peer in zip(measured, peers, strict=True))
        row = {
            "framework": args.framework, "setting": name, "route": ROUTES[route],
            "rps": round(median(run.rps for run in measured)), "vs_defaults": round(ratio, 2),
            "p99_ms": round(median(run.p99_ms for run in measured), 1),
        }  # fmt: skip
        rows.append(row)
        figures = f"{row['rps']} | {row['vs_defaults']:.2f}x | {row['p99_ms']}"
        print(f"| {name} | {row['route']} | {figures} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
