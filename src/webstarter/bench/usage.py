"""What a server's whole process tree (granian's and gunicorn's workers included) uses while
the load runs: its peak resident memory, sampled from /proc, and its CPU time.

The servers are started in their own session, so the tree is every process of that session.
CPU seconds per request say what a request costs the server whatever else the machine runs,
where req/s on a shared machine moves by a tenth or more between runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _session_processes(session: int) -> Iterator[tuple[Path, list[str]]]:
    """Each process of `session` now: its /proc folder and its stat fields after the command
    name (which may hold spaces and parentheses): state ppid pgrp session ..."""
    if not PROC.is_dir():
        return
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == session:
                yield entry, fields
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile


def session_rss(session: int) -> int:
    """Bytes resident now in every process of `session` (0 where /proc is not there)."""
    total = 0
    for entry, _ in _session_processes(session):
        try:
            total += int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by every process of `session`, with the
    children each has waited for (0 where /proc is not there)."""
    ticks = 0
    for _, fields in _session_processes(session):
        # utime stime cutime cstime are fields 14-17 of stat, 12-15 after the command name.
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / TICKS


class PeakRss:
    """Samples a session's resident memory in a thread, every `interval` seconds, while the
    `with` block runs; `peak` is the largest sum seen, in bytes."""

    def __init__(self, session: int, interval: float = 0.2) -> None:
        self.session = session
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, session_rss(self.session))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, session_rss(self.session))

    @property
    def peak_mb(self) -> float:
        return self.peak / (1024 * 1024)
