"""How fast the CLI answers, measured against its peers in the same run.

- `webstarter new` (render + atomic move, no git) against `copier copy` of the same template
  with the same answers; and `webstarter new` with its git init + commit, for reference.
- `webstarter --help` and `webstarter list` against `python -c "import typer"`: the targets
  are ratios below 1.5.

Run: python benchmarks/cli_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PY = sys.executable


def timed(argv: list[str], runs: int, before=None) -> float:
    """Median wall time of `argv` over `runs` runs (one warm-up run first)."""
    samples = []
    for index in range(runs + 1):
        if before:
            before()
        started = time.perf_counter()
        subprocess.run(
            argv,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        if index:
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--framework", default="flask")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="webstarter-bench-"))
    dest = work / "svc"

    def clean() -> None:
        shutil.rmtree(dest, ignore_errors=True)

    data = ["--data", f"framework={args.framework}", "--data", "project_name=svc"]
    figures = {
        "import typer": timed([PY, "-c", "import typer"], args.runs),
        "webstarter --help": timed([PY, "-m", "webstarter", "--help"], args.runs),
        "webstarter list": timed([PY, "-m", "webstarter", "list"], args.runs),
        "copier copy": timed(
            [
                PY,
                "-m",
                "copier",
                "copy",
                "--trust",
                "--defaults",
                "--quiet",
                *data,
                str(TEMPLATES),
                str(dest),
            ],
            args.runs,
            clean,
        ),
        "webstarter new --no-git": timed(
            [PY, "-m", "webstarter", "new", str(dest), "--defaults", "--no-git", *data],
            args.runs,
            clean,
        ),
        "webstarter new (with git)": timed(
            [PY, "-m", "webstarter", "new", str(dest), "--defaults", *data], args.runs, clean
        ),
    }
    shutil.rmtree(work, ignore_errors=True)
    print(f"median of {args.runs} runs, {args.framework} starter, Python {sys.version.split()[0]}")
    for name, seconds in figures.items():
        print(f"  {name:<28}{seconds * 1000:8.0f} ms")
    ratios = {
        "webstarter --help / import typer": figures["webstarter --help"] / figures["import typer"],
        "webstarter list / import typer": figures["webstarter list"] / figures["import typer"],
        "webstarter new / copier copy": figures["webstarter new --no-git"] / figures["copier copy"],
        "new with git / copier copy": figures["webstarter new (with git)"] / figures["copier copy"],
    }
    targets = {
        "webstarter --help / import typer": 1.5,
        "webstarter list / import typer": 1.5,
        "webstarter new / copier copy": 1.0,
    }
    for name, ratio in ratios.items():
        target = targets.get(name)
        verdict = ""
        if target is not None:
            verdict = f"  (target < {target:.1f}: {'met' if ratio < target else 'MISSED'})"
        print(f"  {name:<36}{ratio:6.2f}{verdict}")


if __name__ == "__main__":
    main()
