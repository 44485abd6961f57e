"""Peak resident memory of a server's whole process tree (granian's and gunicorn's workers
included), sampled from /proc while the load runs.

The servers are started in their own session, so the tree is every process of that session.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def session_rss(session: int) -> int:
    """Bytes resident now in every process of `session` (0 where /proc is not there)."""
    total = 0
    if not PROC.is_dir():
        return 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command name (which may hold spaces and parentheses):
            # state ppid pgrp session ...
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) != session:
                continue
            total += int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return total


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
