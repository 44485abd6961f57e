"""The figures of the last `webstarter bench` runs on this machine, per framework, kept in
webstarter's cache for `webstarter info`.

A figure is only worth showing with where it comes from, so each framework's file holds its
last passing rows for each server, route and app, grouped by the run that measured them with
that run's date, command, machine and load generator. A run that failed (socket errors, 5xx,
a note count that does not add up) replaces nothing: its figures measure something else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from webstarter.resources import cache_dir

RUN_KEYS = ("date", "command", "machine", "load_generator", "settings")


def folder() -> Path:
    return cache_dir() / "bench"


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (str(row.get("server")), str(row.get("route")), str(row.get("app")))


def save(data: dict[str, Any]) -> list[str]:
    """Keep a passing run's rows (bench's JSON report) per framework, in place of older rows
    for the same server, route and app; the frameworks kept."""
    from webstarter.bench.report import write_json

    if not data.get("ok"):
        return []
    kept = []
    for framework in dict.fromkeys(str(row["framework"]) for row in data["results"]):
        rows = [row for row in data["results"] if row["framework"] == framework]
        replaced = {_key(row) for row in rows}
        runs = []
        for run in (load(framework) or {"runs": []})["runs"]:
            older = [row for row in run["results"] if _key(row) not in replaced]
            if older:
                runs.append({**run, "results": older})
        runs.append({**{key: data[key] for key in RUN_KEYS if key in data}, "results": rows})
        write_json({"runs": runs}, folder() / f"{framework}.json")
        kept.append(framework)
    return kept


def load(framework: str) -> dict[str, Any] | None:
    """The kept figures for `framework`; None if there are none to read."""
    try:
        data = json.loads((folder() / f"{framework}.json").read_text(encoding="utf-8"))
        describe(data)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None  # none yet, or written by hand or another version: nothing to show
    return data if data["runs"] else None


def describe(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """For `info`, newest run first: where its figures come from, and a line per starter row."""
    described = []
    for run in reversed(data["runs"]):
        machine = run.get("machine") or {}
        generator = run.get("load_generator") or {}
        source = (
            f"{str(run.get('date', '?'))[:16].replace('T', ' ')} UTC, "
            f"{machine.get('cpus', '?')} cores {machine.get('cpu', '?')}, "
            f"Python {machine.get('python', '?')}, {generator.get('name', '?')}: "
            f"{run.get('command', '?')}"
        )
        described.append((source, [_row(row) for row in run["results"] if row["app"] == "starter"]))
    return described


def _row(row: dict[str, Any]) -> str:
    vs = "".join(f", {ratio:.2f}x {label}" for label, ratio in (row.get("ratios") or {}).items())
    cpu = ""
    if row.get("server_cpu_us_per_request"):
        cpu = f", server CPU {row['server_cpu_us_per_request']:.0f} us/request"
        if "bare" in (cpu_ratios := row.get("cpu_ratios") or {}):
            cpu += f" ({cpu_ratios['bare']:.2f}x bare)"
    return (
        f"{row['server']} {row['route']}: {row['rps']:,.0f} req/s{vs}, p99 {row['p99_ms']:.1f} ms"
        f"{cpu}, peak RSS {row['peak_rss_mb']:.0f} MB, {row['socket_errors']} socket errors, "
        f"{row['server_errors_5xx']} 5xx"
    )
