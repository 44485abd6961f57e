"""How fast `webstarter serve` hands out a project, against `webstarter new` in the same run.

Starts the real server (granian) on 127.0.0.1 and measures, for a default Flask project:
- warm `/starter.zip` (the same answers again: served from the render cache): p50 and p99;
- fresh `/starter.zip` (answers never seen, so a full render each time): p50 and p99;
- 10 concurrent downloads of fresh answers: errors (the goal: none) and wall time;
- the peer: `webstarter new --no-git` with the same answers rendered in-process (warm).

Goal: warm p50 at most 300 ms, and 10 concurrent downloads with no error.

Run: python benchmarks/serve_download.py [--warm N] [--fresh N]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from serve_server import running_server


def require(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark aborted: {message}")


def fetch(url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 - loopback
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return time.perf_counter() - started, status, body


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(label: str, samples: list[float]) -> float:
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    print(f"{label:<44} p50 {p50 * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms   (n={len(samples)})")
    return p50


def peer_new(runs: int) -> list[float]:
    """`webstarter new demo -f flask --defaults --no-git`, in-process, warm."""
    from typer.testing import CliRunner

    from webstarter.cli import app

    runner = CliRunner()
    samples = []
    for index in range(runs + 1):
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            result = runner.invoke(
                app, ["new", f"{scratch}/demo", "-f", "flask", "--defaults", "--no-git"]
            )
            elapsed = time.perf_counter() - started
            require(result.exit_code == 0, result.output)
            if index:
                samples.append(elapsed)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=200, help="warm downloads")
    parser.add_argument("--fresh", type=int, default=10, help="fresh (uncached) downloads")
    options = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    with scratch, running_server(Path(scratch.name) / "serve.log") as base:
        default = f"{base}/starter.zip?framework=flask"
        _, status, body = fetch(default)  # the first render, and the check that it is a project
        require(status == 200, body[:200].decode(errors="replace"))
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            require("demo/.copier-answers.yml" in archive.namelist(), "not a project")
        warm = [fetch(default)[0] for _ in range(options.warm)]
        fresh = []
        for index in range(options.fresh):
            elapsed, status, _ = fetch(f"{default}&project_name=fresh{index}")
            require(status == 200, f"status {status}")
            fresh.append(elapsed)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=10) as pool:
            burst = list(
                pool.map(fetch, [f"{default}&project_name=burst{index}" for index in range(10)])
            )
        burst_wall = time.perf_counter() - started
        warm_burst_started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=10) as pool:
            warm_burst = list(pool.map(fetch, [default] * 10))
        warm_burst_wall = time.perf_counter() - warm_burst_started
    peer = peer_new(max(3, options.fresh // 2))

    print(f"webstarter serve: default Flask project ({len(body) / 1024:.0f} KiB zip)")
    warm_p50 = figures("GET /starter.zip warm (render cached)", warm)
    fresh_p50 = figures("GET /starter.zip fresh answers (full render)", fresh)
    peer_p50 = figures("peer: webstarter new --no-git, in-process", peer)
    errors = sum(1 for _, status, _ in burst if status != 200)
    warm_errors = sum(1 for _, status, _ in warm_burst if status != 200)
    print(
        f"10 concurrent fresh downloads: {10 - errors}/10 ok, wall {burst_wall:.2f} s, "
        f"slowest {max(t for t, _, _ in burst):.2f} s"
    )
    print(f"10 concurrent warm downloads:  {10 - warm_errors}/10 ok, wall {warm_burst_wall:.2f} s")
    print(f"ratio warm p50 / new p50:  {warm_p50 / peer_p50:.3f}")
    print(f"ratio fresh p50 / new p50: {fresh_p50 / peer_p50:.2f}")
    verdict = warm_p50 <= 0.300 and errors == 0 and warm_errors == 0
    outcome = "met" if verdict else "MISSED"
    print(f"goal (warm p50 <= 300 ms, 10 concurrent without error): {outcome}")
    if not verdict:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
