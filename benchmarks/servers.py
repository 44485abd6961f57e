"""Each starter's production servers side by side, measured in one run on loopback:

- slow clients: seconds until GET /healthz answers while 50 connections hold half-sent
  requests (the hostile-input probe; more than 1 s fails it), capped at 5 s;
- throughput: wrk -t1 -c16 for --seconds on /api/hello, requests per second and p99 latency,
  with each server's ratio to gunicorn (the well-known peer) of the same starter;
- SIGTERM: the exit code and how long the server took to stop.

    python benchmarks/servers.py [-f NAME ...] [--seconds S] [--json FILE]

Needs wrk (Debian's package). Every server is started here on 127.0.0.1 and stopped again;
the starters are set up, served and loaded by `webstarter bench`'s modules.
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import time
from pathlib import Path

from webstarter.bench.loadgen import find_load_generator
from webstarter.bench.serving import Server
from webstarter.bench.starters import Starter, prepare
from webstarter.catalog import catalog
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import free_port

HALF_SENT = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"


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


def measure(starter: Starter, name: str, command: str, seconds: int, runs: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = runs / name
    folder.mkdir(parents=True, exist_ok=True)
    server = Server(starter.argv(command, "127.0.0.1", port), starter.project, starter.env(),
                    folder / "server.log", base)  # fmt: skip
    with server:
        stalled = slow_clients(port)
        time.sleep(0.5)  # let the server drop the slow clients' connections
        load = find_load_generator("wrk").run(base, "api", seconds, 16, 1, folder)
    return {"server": name, "healthz_beside_slow_clients_s": round(stalled, 3),
            "rps": round(load.rps), "p99_ms": round(load.p99_ms, 2),
            "non_2xx": load.non_2xx, "socket_errors": load.errors,
            "sigterm_exit": server.exit_code, "stop_s": round(server.stop_seconds, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", action="append", choices=list(catalog()))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="webstarter-servers-") as scratch:
        for framework in args.framework or list(catalog()):
            folder = Path(scratch) / framework
            starter = prepare(catalog()[framework], folder / "project", folder / "logs")
            results = [
                measure(starter, name, command, args.seconds, folder / "runs")
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
                    f"non-2xx {result['non_2xx']}  SIGTERM exit {result['sigterm_exit']} "
                    f"in {result['stop_s']:.2f} s",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
