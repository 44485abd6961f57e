"""What the load benchmarks share: a server started on 127.0.0.1 and stopped again, and wrk.

A server is a process group of its own, so that SIGTERM (then SIGKILL, if it lingers) reaches
its workers too; every run of wrk is checked for errors and non-2xx answers, so that a figure
never comes from a server that answered 301, 404 or 500.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from webstarter.smoke.probes import fetch

# A TLS proxy on this machine would send it: Django's HTTPS redirect lets the request through.
PROXY_HEADERS = ["-H", "X-Forwarded-Proto: https"]
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@contextlib.contextmanager
def serving(argv: list[str], cwd: Path, env: dict[str, str], ready: str) -> Iterator[None]:
    """Run `argv` until the block ends; wait until `ready` (a URL) answers 200 first.

    Pass the URL to be measured as `ready`: urllib follows no redirect to https here, so a
    server that would answer wrk with a redirect never becomes ready.
    """
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                sys.exit(f"{argv} exited with {process.returncode}:\n{error[-2000:]}")
            try:
                if fetch(ready, timeout=1).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"{argv}: {ready} never answered 200")
            time.sleep(0.1)
        if process.stderr:
            process.stderr.close()  # nothing reads it from here on: never let it fill up
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
        process.wait()


def wrk(url: str, seconds: int, connections: int = 16) -> tuple[float, float]:
    """wrk -t1 on `url`: requests per second and p99 latency in ms. Exits on any failed answer."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *PROXY_HEADERS, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    failed = re.search(r"Non-2xx or 3xx responses: \d+", out)
    if failed:
        sys.exit(f"wrk on {url}: {failed.group(0)}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
    return rps, float(p99) * UNITS_MS[unit]
