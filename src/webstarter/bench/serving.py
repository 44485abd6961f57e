"""One server process on loopback for a benchmark: started in its own session through the
smoke harness's process registry (so Ctrl-C stops it with everything else), waited for until
it answers, and stopped with SIGTERM, its whole group killed afterwards.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from webstarter.errors import BenchFailed
from webstarter.smoke.probes import fetch
from webstarter.smoke.processes import STOPPING, forget, kill_group, spawn, tail


class Server:
    """`with Server(argv, ...) as server:` boots it and waits until `ready_path` answers 200;
    leaving the block stops it. `exit_code` and `stop_seconds` say how it stopped."""

    def __init__(
        self,
        argv: list[str],
        cwd: Path,
        env: dict[str, str],
        log: Path,
        base: str,
        ready_path: str = "/healthz",
        boot_timeout: float = 60,
        stop_timeout: float = 15,
    ) -> None:
        self.argv = argv
        self.cwd = cwd
        self.env = env
        self.log = log
        self.base = base
        self.ready_path = ready_path
        self.boot_timeout = boot_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.exit_code: int | None = None
        self.stop_seconds = 0.0

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server is not running")
        return self.process.pid

    def __enter__(self) -> Server:
        self.process = spawn(self.argv, self.cwd, self.env, self.log)
        try:
            self._wait_ready(self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.boot_timeout
        while time.monotonic() < deadline:
            if STOPPING.is_set():
                raise KeyboardInterrupt
            if process.poll() is not None:
                raise BenchFailed(
                    f"`{' '.join(self.argv)}` exited with {process.returncode} before it "
                    f"answered; last lines of {self.log}:\n{tail(self.log, 8)}"
                )
            try:
                if fetch(self.base + self.ready_path, timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchFailed(
            f"{self.base}{self.ready_path} did not answer 200 within {self.boot_timeout:.0f} s "
            f"(log: {self.log})"
        )

    def stop(self) -> None:
        """SIGTERM, wait up to stop_timeout, then kill the whole group (stray workers too)."""
        process = self.process
        if process is None:
            return
        started = time.monotonic()
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                self.exit_code = process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                kill_group(process)
                self.exit_code = process.wait()
        finally:
            kill_group(process)
            forget(process)
            self.stop_seconds = time.monotonic() - started
            self.process = None
