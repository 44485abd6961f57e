"""How long each cell took in the last smoke run, so that the next run starts the longest first.

With fewer workers than cells, a long cell started last keeps one worker busy while the others
idle; starting the longest first (the classic LPT rule) shortens the run. The seconds live in
a small JSON file in the tool's cache folder. It is only a hint: a missing or broken file
orders nothing, and a cell never seen before starts before every known one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

from webstarter.resources import cache_dir

FILE_NAME = "smoke-durations.json"


def durations_file() -> Path | None:
    try:
        return cache_dir() / FILE_NAME
    except OSError:
        return None


def load(path: Path | None) -> dict[str, float]:
    """Seconds by cell name; empty when the file is missing or not what it should be."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(name): float(seconds)
        for name, seconds in data.items()
        if isinstance(seconds, int | float) and math.isfinite(seconds) and seconds >= 0
    }


def longest_first(names: list[str], known: dict[str, float]) -> list[int]:
    """Indexes of `names` in the order to start them: unknown cells first (they may be the
    longest), then known ones by decreasing seconds; ties keep the matrix order."""
    return sorted(range(len(names)), key=lambda index: -known.get(names[index], math.inf))


def save(path: Path | None, measured: Iterable[tuple[str, float]]) -> None:
    """Merge this run's seconds into the file; a cache that cannot be written is skipped."""
    if path is None:
        return
    known = load(path)
    known.update((name, round(seconds, 1)) for name, seconds in measured)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        scratch.replace(path)
    except OSError:
        pass
