"""Each starter's production servers side by side, measured in one run on loopback:

- slow clients: seconds until GET /healthz answers while 50 connections hold half-sent
  requests (the hostile-input probe; more than 1 s fails it), capped at 5 s;
- throughput: wrk -t1 -c16 for --seconds on /api/hello, requests per second and p99 latency,
  with each server's ratio to gunicorn (the well-known peer) of the same starter;
- SIGTERM: the exit code and how long the server took to stop.

    python benchmarks/servers.py [-f NAME ...] [--seconds S] [--json FILE]

Needs wrk (Debian's package). Every server is started here on 127.0.0.1 and stopped again.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from default_starter import generate

from webstarter.catalog import catalog
from webstarter.next_steps import render_command
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port
from webstarter.smoke.runner import base_env
from webstarter.smoke.venvs import bin_dir, install_project

HALF_SENT = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode} before it was ready")
        try:
            if fetch(base + "/healthz", timeout=1).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{base} never answered /healthz")


def slow_clients(port: int, clients: int = 50, cap: float = 5.0) -> float:
    held = []
    try:
        for _ in range(clients):
            sock = socket.create_connection(("127.0.0.1", port), timeout=cap)
            sock.sendall(HALF_SENT)
            held.append(sock)
        started = time.monotonic()
        try:
            status = fetch(f"http://127.0.0.1:{port}/healthz", timeout=cap).status
        except OSError:
            return cap
        return time.monotonic() - started if status == 200 else cap
    finally:
        for sock in held:
            sock.close()


def load(port: int, seconds: int) -> tuple[float, float]:
    """wrk's requests per second and p99 latency (ms) on /api/hello."""
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}/api/hello"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(p99) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(project: Path, venv: Path, package: str, name: str, command: str, seconds: int):
    port = free_port()
    argv = shlex.split(render_command(command, package, "127.0.0.1", port))
    argv[0] = str(bin_dir(venv) / argv[0]) if (bin_dir(venv) / argv[0]).exists() else argv[0]
    env = {**base_env(), "SECRET_KEY": secrets.token_urlsafe(40), "LOG_LEVEL": "WARNING"}
    env["PATH"] = f"{bin_dir(venv)}{os.pathsep}{env.get('PATH', '')}"
    process = subprocess.Popen(
        argv, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, process)
        stalled = slow_clients(port)
        time.sleep(0.5)  # let the server drop the slow clients' connections
        rps, p99 = load(port, seconds)
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait()
        stop = time.monotonic() - started
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
    return {"server": name, "healthz_beside_slow_clients_s": round(stalled, 3), "rps": round(rps),
            "p99_ms": round(p99, 2), "sigterm_exit": code, "stop_s": round(stop, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", action="append", choices=list(catalog()))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="webstarter-servers-") as scratch:
        for framework in args.framework or list(catalog()):
            project = Path(scratch) / framework
            package = generate(framework, project)
            venv = install_project(project, base_env(), project / "install.log", 600, True)
            migrate = catalog()[framework].commands.migrate
            env = {
                **base_env(),
                "SECRET_KEY": "x" * 50,
                "PATH": f"{bin_dir(venv)}:{os.environ['PATH']}",
            }
            subprocess.run(
                shlex.split(migrate), cwd=project, env=env, check=True, capture_output=True
            )
            results = [
                measure(project, venv, package, name, command, args.seconds)
                for name, command in catalog()[framework].commands.servers.items()
            ]
            peer = next(r["rps"] for r in results if r["server"] == "gunicorn")
            for result in results:
                result |= {"framework": framework, "vs_gunicorn": round(result["rps"] / peer, 2)}
                rows.append(result)
                print(
                    f"{framework:9} {result['server']:9} healthz beside 50 slow clients "
                    f"{result['healthz_beside_slow_clients_s']:5.2f} s  {result['rps']:6d} req/s "
                    f"({result['vs_gunicorn']:.2f}x gunicorn)  p99 {result['p99_ms']:6.1f} ms  "
                    f"SIGTERM exit {result['sigterm_exit']} in {result['stop_s']:.2f} s",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
