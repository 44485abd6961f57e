"""Wall time of `webstarter smoke`, and how it scales with cells and parallel jobs.

Each configuration runs the real harness (generate, install, lint, test, serve, probe, stop)
after one warm-up run that fills the uv cache. The peer of the parallel run is the same
cells run one at a time, measured in the same session. Goal: the five frameworks' defaults
with --jobs 2 under 90 s on a 2-core machine.

Run: python benchmarks/smoke_speed.py [--quick-only]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def smoke(*args: str) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "webstarter",
                "smoke",
                "--json",
                str(report),
                "--workdir",
                scratch,
                *args,
            ],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        return time.perf_counter() - started, json.loads(report.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick-only", action="store_true", help="skip the full matrix")
    args = parser.parse_args()
    smoke("--quick", "--jobs", "2")  # warm-up: fills the package cache
    rows = []
    two, report = smoke("--quick", "--jobs", "2")
    cell_seconds = sum(cell["seconds"] for cell in report["cells"])
    rows.append(("5 defaults, --jobs 2", len(report["cells"]), two))
    one, _ = smoke("--quick", "--jobs", "1")
    rows.append(("5 defaults, --jobs 1", 5, one))
    two_cells, _ = smoke("--quick", "--jobs", "2", "-f", "flask", "-f", "bottle")
    rows.append(("2 defaults, --jobs 2", 2, two_cells))
    if not args.quick_only:
        full, full_report = smoke("--jobs", "2")
        rows.append(("full matrix, --jobs 2", len(full_report["cells"]), full))
    print("webstarter smoke, warm cache")
    for label, cells, seconds in rows:
        print(f"  {label:<26}{cells:4d} cells {seconds:8.1f} s  {seconds / cells:6.1f} s/cell")
    print(f"  sum of cell times (5 defaults)     {cell_seconds:8.1f} s")
    print(f"  speed-up of --jobs 2 over --jobs 1 {one / two:8.2f}x")
    print(f"  goal: 5 defaults with --jobs 2 under 90 s: {'met' if two < 90 else 'MISSED'}")


if __name__ == "__main__":
    main()
