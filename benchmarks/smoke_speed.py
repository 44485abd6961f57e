"""Wall time of `webstarter smoke`, as a user who ran `pip install webstarter` gets it.

The tool is installed with `pip install .` into a new venv (so uv is the `uv` package's binary,
a dependency, and nothing from this checkout's environment leaks in); every configuration
runs once as a warm-up (uv's, pip's and Docker's caches) and is then timed. The goal: the five
frameworks' defaults (`--quick --jobs 2`) in at most 45 s on a 2-core machine, with uv.
Measured with and without `--pip`, and with and without the container step (a Docker daemon
is used when one answers; `--no-containers` skips the step). CI is unset for the runs, since
CI refuses --no-containers. Beside the wall time it prints the CPU seconds of the smoke
process tree (user + system; the Docker daemon's builds are not in it) and the load average
at the end: on a machine shared with other work, wall time follows the others' load, while
the CPU seconds say what the run itself costs (the floor of its wall time is CPU / cores).

Run: python benchmarks/smoke_speed.py [--scaling] [--no-fresh-venv] [--containers-only]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 45.0
CONFIGURATIONS = [
    ("uv, containers", []),
    ("uv, --no-containers", ["--no-containers"]),
    ("--pip, containers", ["--pip"]),
    ("--pip, --no-containers", ["--pip", "--no-containers"]),
]


def install_fresh(scratch: Path) -> list[str]:
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)],
        check=True,
        capture_output=True,
    )
    return [str(venv / "bin" / "webstarter")]


def smoke(webstarter: list[str], *args: str) -> tuple[float, dict]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [*webstarter, "smoke", "--json", str(report), "--workdir", scratch, *args],
            check=False,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"webstarter smoke {' '.join(args)} failed:\n{done.stdout[-3000:]}")
        report_data = json.loads(report.read_text())
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        report_data["cpu_s"] = cpu
        report_data["load"] = os.getloadavg()[0]
        return seconds, report_data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scaling", action="store_true", help="also --jobs 1, 2 cells, full")
    parser.add_argument(
        "--no-fresh-venv", action="store_true", help="use this interpreter's webstarter"
    )
    parser.add_argument(
        "--containers-only",
        action="store_true",
        help="only the two configurations of the goal (uv and --pip, with containers)",
    )
    args = parser.parse_args()
    configurations = [
        (label, extra)
        for label, extra in CONFIGURATIONS
        if not (args.containers_only and "--no-containers" in extra)
    ]
    with tempfile.TemporaryDirectory(prefix="webstarter-bench-") as scratch:
        if args.no_fresh_venv:
            webstarter = [sys.executable, "-m", "webstarter"]
        else:
            started = time.perf_counter()
            webstarter = install_fresh(Path(scratch))
            print(f"pip install . into a new venv: {time.perf_counter() - started:.1f} s")
        rows = []
        for label, extra in configurations:
            smoke(webstarter, "--quick", "--jobs", "2", *extra)  # warm-up
            seconds, report = smoke(webstarter, "--quick", "--jobs", "2", *extra)
            rows.append((f"5 defaults, --jobs 2, {label}", seconds, report))
        if args.scaling:
            for label, extra in [
                ("5 defaults, --jobs 1", ["--quick", "--jobs", "1"]),
                ("2 defaults, --jobs 2", ["--quick", "--jobs", "2", "-f", "flask", "-f", "bottle"]),
                ("full matrix, --jobs 2", ["--jobs", "2"]),
            ]:
                seconds, report = smoke(webstarter, *extra)
                rows.append((label, seconds, report))
    print(f"webstarter smoke, warm caches, {os.cpu_count()} cores")
    for label, seconds, report in rows:
        cells = len(report["cells"])
        floor = report["cpu_s"] / (os.cpu_count() or 1)
        print(
            f"  {label:<46}{cells:3d} cells {seconds:7.1f} s {seconds / cells:6.1f} s/cell"
            f"  CPU {report['cpu_s']:6.1f} s (floor {floor:5.1f} s)"
            f"  load {report['load']:4.1f}  ({report['skipped_steps']} steps skipped)"
        )
    best = rows[0][1]
    verdict = "met" if best <= GOAL else "MISSED"
    print(f"  goal: 5 defaults, --jobs 2, uv, containers, at most {GOAL:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
