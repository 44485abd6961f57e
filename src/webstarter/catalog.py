"""The framework catalog: facts about each framework, read from the templates' catalog.yml.

The same YAML file feeds the copier templates (through `!include` in copier.yml) and this
module, so pros, cons, pins and commands are written exactly once.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from webstarter.errors import AnswerError
from webstarter.resources import template_root

CATALOG_FILE = "catalog.yml"


@dataclass(frozen=True)
class Commands:
    """How a starter is developed, prepared, checked and served ({package}/{host}/{port})."""

    dev: str
    prepare: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    servers: dict[str, str] = field(default_factory=dict)
    migrate: str = ""  # creates or upgrades the schema; only for projects with a database
    make_migration: str = ""


@dataclass(frozen=True)
class Framework:
    """One framework's entry in the catalog."""

    key: str
    name: str
    kind: str
    summary: str
    requirement: str
    version_note: str
    latest_version: str
    latest_date: date
    maintained: str
    test_tool: str
    docs: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    commands: Commands

    def months_since_release(self, today: date | None = None) -> int:
        """Whole months since the latest release: how stale the framework is."""
        today = today or date.today()
        months = (today.year - self.latest_date.year) * 12 + today.month - self.latest_date.month
        return months - (today.day < self.latest_date.day)

    def as_dict(self, today: date | None = None) -> dict[str, Any]:
        """A JSON-ready view, used by `list --json` and `info --json`."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "summary": self.summary,
            "requirement": self.requirement,
            "version_note": self.version_note,
            "latest_release": {
                "version": self.latest_version,
                "date": self.latest_date.isoformat(),
                "months_ago": self.months_since_release(today),
            },
            "maintained": self.maintained,
            "test_tool": self.test_tool,
            "docs": self.docs,
            "pros": list(self.pros),
            "cons": list(self.cons),
            "commands": {
                "dev": self.commands.dev,
                "prepare": list(self.commands.prepare),
                "checks": list(self.commands.checks),
                "servers": dict(self.commands.servers),
                "migrate": self.commands.migrate,
                "make_migration": self.commands.make_migration,
            },
        }


def _framework(key: str, raw: dict[str, Any]) -> Framework:
    release = raw["latest_release"]
    released = release["date"]
    commands = raw["commands"]
    return Framework(
        key=key,
        name=raw["name"],
        kind=raw["kind"],
        summary=raw["summary"],
        requirement=raw["requirement"],
        version_note=raw["version_note"],
        latest_version=str(release["version"]),
        latest_date=released if isinstance(released, date) else date.fromisoformat(released),
        maintained=raw["maintained"],
        test_tool=raw["test_tool"],
        docs=raw["docs"],
        pros=tuple(raw["pros"]),
        cons=tuple(raw["cons"]),
        commands=Commands(
            dev=commands["dev"],
            prepare=tuple(commands.get("prepare") or ()),
            checks=tuple(commands.get("checks") or ()),
            servers=dict(commands["servers"]),
            migrate=commands.get("migrate", ""),
            make_migration=commands.get("make_migration", ""),
        ),
    )


def _read_yaml(path: Path) -> Any:
    """The catalog's data, through a JSON copy in the cache keyed by the file's stat: parsing
    YAML (and importing the parser) is most of what `webstarter list` costs."""
    from webstarter.resources import cache_dir

    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    cached = cache_dir() / "catalog" / f"{key.hexdigest()[:20]}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as stream:
        raw = yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(raw, default=str), encoding="utf-8")
        partial.replace(cached)
    return raw


def load_catalog(path: Path | None = None) -> dict[str, Framework]:
    """Read the catalog file (the templates' own by default), frameworks in catalog order."""
    raw = _read_yaml(path or template_root() / CATALOG_FILE)
    entries = raw["frameworks"]["default"]
    return {key: _framework(key, entry) for key, entry in entries.items()}


@cache
def catalog() -> dict[str, Framework]:
    """The installed templates' catalog, read once per process."""
    return load_catalog()


def get_framework(name: str, frameworks: dict[str, Framework] | None = None) -> Framework:
    """Look a framework up by key, case-insensitively; suggest the closest on a miss.

    `frameworks` is another template's catalog (a fork that `serve --template` serves); the
    installed one by default.
    """
    frameworks = catalog() if frameworks is None else frameworks
    key = name.strip().lower()
    if key in frameworks:
        return frameworks[key]
    valid = ", ".join(frameworks)
    close = difflib.get_close_matches(key, list(frameworks), n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    reason = f"unknown framework '{name}'; choose one of: {valid}.{hint}"
    raise AnswerError("framework", reason)
