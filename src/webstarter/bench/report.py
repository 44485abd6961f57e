"""What a bench run reports: the machine, date and command it ran with, and one row per
measurement, as JSON (for the docs and for comparing runs) and as table rows."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import webstarter
from webstarter.bench.run import BenchResult, Measurement

SCHEMA = 1


def machine() -> dict[str, Any]:
    """Enough to tell two machines apart, never the host's name."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor() or "unknown",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def measurement_dict(m: Measurement) -> dict[str, Any]:
    load = m.load
    row: dict[str, Any] = {
        "framework": m.framework,
        "server": m.server,
        "route": m.route,
        "app": m.app,
        "requests": load.requests,
        "seconds": round(load.seconds, 2),
        "rps": round(load.rps, 1),
        "p50_ms": round(load.p50_ms, 2),
        "p99_ms": round(load.p99_ms, 2),
        "socket_errors": load.errors,
        "socket_errors_by_kind": dict(load.socket_errors),
        "non_2xx": load.non_2xx,
        "server_errors_5xx": load.server_errors,
        "statuses": {str(code): n for code, n in sorted(load.statuses.items())},
        "peak_rss_mb": m.peak_rss_mb,
        "server_cpu_s": m.server_cpu_s,
        "server_cpu_us_per_request": round(m.cpu_us_per_request, 1),
        "cpu_ratio": m.cpu_ratios.get("bare"),
        "cpu_ratios": dict(m.cpu_ratios),
        "sigterm_exit": m.sigterm_exit,
        "ratio": m.ratios.get("bare"),
        "ratios": dict(m.ratios),
        "rounds_rps": list(m.rounds_rps) or [round(load.rps, 1)],
        "problems": m.problems,
    }
    if m.notes is not None:
        row["notes"] = {
            "before": m.notes.before,
            "after": m.notes.after,
            "creates": m.notes.creates,
            "deletes": m.notes.deletes,
            "consistent": m.notes.consistent,
        }
    return row


def as_json(result: BenchResult, command: str, when: datetime | None = None) -> dict[str, Any]:
    options = result.options
    return {
        "schema": SCHEMA,
        "webstarter": webstarter.__version__,
        "date": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "load_generator": {
            "name": result.generator.name,
            "version": result.generator.version,
        },
        "settings": {
            "duration_s": options.duration,
            "connections": options.connections,
            "threads": options.threads,
            "warmup_s": options.warmup,
            "rounds": options.rounds,
        },
        "results": [measurement_dict(m) for m in result.measurements],
        "ok": not result.problems,
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write through a temporary file, so a failed write never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


HEADER = ("framework", "server", "route", "app", "req/s", "ratio", "CPU us/req", "CPU ratio",
          "p50 ms", "p99 ms", "errors", "non-2xx", "5xx", "peak RSS MB", "notes")  # fmt: skip


def table_row(m: Measurement) -> tuple[str, ...]:
    ratio = f"{m.ratios['bare']:.2f}" if "bare" in m.ratios else "-"
    if "bare-no-middleware" in m.ratios:
        ratio += f" ({m.ratios['bare-no-middleware']:.2f} vs no middleware)"
    cpu_ratio = f"{m.cpu_ratios['bare']:.2f}" if "bare" in m.cpu_ratios else "-"
    if "bare-no-middleware" in m.cpu_ratios:
        cpu_ratio += f" ({m.cpu_ratios['bare-no-middleware']:.2f})"
    notes = "-"
    if m.notes is not None:
        verdict = "ok" if m.notes.consistent else "MISMATCH"
        notes = f"+{m.notes.creates} -{m.notes.deletes} {verdict}"
    return (
        m.framework,
        m.server,
        m.route,
        m.app,
        f"{m.load.rps:,.0f}",
        ratio,
        f"{m.cpu_us_per_request:.0f}" if m.cpu_us_per_request else "-",
        cpu_ratio,
        f"{m.load.p50_ms:.1f}",
        f"{m.load.p99_ms:.1f}",
        str(m.load.errors),
        str(m.load.non_2xx),
        str(m.load.server_errors),
        f"{m.peak_rss_mb:.0f}",
        notes,
    )
