"""Child processes with timeouts and logs, all killed on Ctrl-C, and the ports they listen on.

Every process the smoke harness starts is registered here, in its own process group, so an
interrupt or a timeout can stop it together with its children (gunicorn workers, for one).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

from webstarter.errors import NoFreePort, StepFailed

_live: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()
STOPPING = threading.Event()  # set by kill_all: no new process may start after it


def spawn(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session with stdout and stderr appended to `log`."""
    if STOPPING.is_set():
        raise StepFailed("stopped: the run was interrupted")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"$ {' '.join(argv)}\n".encode())
        out.flush()
        process = subprocess.Popen(  # noqa: S603 - argv comes from the template's catalog
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    with _lock:
        _live.add(process)
    if STOPPING.is_set():  # kill_all ran while this one was starting
        kill_group(process)
    return process


def forget(process: subprocess.Popen[bytes]) -> None:
    with _lock:
        _live.discard(process)


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Signal the process's whole group; a group already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def run(argv: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float) -> None:
    """Run a command to completion; a non-zero exit or a timeout raises StepFailed."""
    process = spawn(argv, cwd, env, log)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        process.wait()
        raise StepFailed(f"`{' '.join(argv)}` timed out after {timeout:.0f} s") from None
    finally:
        forget(process)
    if code != 0:
        raise StepFailed(f"`{' '.join(argv)}` exited with {code}")


def kill_all() -> None:
    """Stop every process still running (Ctrl-C, or the harness giving up)."""
    STOPPING.set()
    with _lock:
        live = list(_live)
    for process in live:
        kill_group(process)
    for process in live:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        forget(process)


def tail(log: Path, lines: int = 20) -> str:
    """The last lines of a log, for failure reports."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free on loopback now."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            return int(sock.getsockname()[1])
    except OSError as error:
        raise NoFreePort(f"no free port on {host}: {error.strerror}") from error
