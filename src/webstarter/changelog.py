"""What an update brings: the entries of CHANGELOG.md between two template versions.

The CHANGELOG (Keep a Changelog) ships in the wheel as `webstarter/CHANGELOG.md`; a source
checkout reads the one at the repository root. Release headings are `## [X.Y.Z] - date`; the
entries under `## [Unreleased]` belong to the version being built (pyproject's version) as long
as the CHANGELOG has no heading of its own for that version, so that the release in progress
can be described before it is dated. Once it has one, [Unreleased] entries belong to no
version webstarter can install and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webstarter.errors import WebstarterError
from webstarter.resources import PACKAGE_DIR

CHANGELOG = "CHANGELOG.md"
PACKAGED = PACKAGE_DIR / CHANGELOG
CHECKOUT = PACKAGE_DIR.parent.parent / CHANGELOG
UNRELEASED = "Unreleased"
RELEASE = re.compile(r"^## \[(?P<name>[^\]]+)\](?:\s+-\s+(?P<date>\S.*?))?\s*$")
KIND = re.compile(r"^### (?P<kind>\S.*?)\s*$")
ITEM = re.compile(r"^[-*+] (?P<text>.*)$")


@dataclass
class Release:
    """One `## [...]` section: its version (None for [Unreleased]) and entries by kind."""

    version: str | None
    date: str | None
    changes: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "date": self.date, "changes": self.changes}

    @property
    def count(self) -> int:
        return sum(len(entries) for entries in self.changes.values())


def changelog_path() -> Path:
    """The CHANGELOG shipped in the wheel, or a source checkout's."""
    for candidate in (PACKAGED, CHECKOUT):
        if candidate.is_file():
            return candidate
    raise WebstarterError(f"this installation has no {CHANGELOG}; reinstall webstarter")


def parse(text: str) -> list[Release]:
    """Every release section in file order; an entry's wrapped lines are joined by spaces."""
    releases: list[Release] = []
    kind = ""
    entry: list[str] | None = None

    def close() -> None:
        nonlocal entry
        if entry is not None and releases and kind:
            releases[-1].changes.setdefault(kind, []).append(" ".join(entry))
        entry = None

    for line in text.splitlines():
        if (heading := RELEASE.match(line)) is not None:
            close()
            name = heading["name"].strip()
            unreleased = name.lower() == UNRELEASED.lower()
            version = None if unreleased else name.removeprefix("v")
            releases.append(Release(version, heading["date"]))
            kind = ""
        elif (section := KIND.match(line)) is not None:
            close()
            kind = section["kind"]
        elif line.startswith("#") or line.startswith("["):
            close()  # another heading, or a link reference at the end of the file
            kind = "" if line.startswith("## ") else kind
        elif (item := ITEM.match(line)) is not None:
            close()
            entry = [item["text"].strip()]
        elif line.strip() and entry is not None:  # a wrapped line, indented or lazy
            entry.append(line.strip())
        elif not line.strip():
            close()
    close()
    return releases


def read(path: Path | None = None) -> list[Release]:
    path = path or changelog_path()
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise WebstarterError(f"cannot read {path}: {error}") from None


def between(
    releases: list[Release], old: str, new: str, installed: str | None = None
) -> list[Release]:
    """The releases after `old` up to and including `new`, newest first.

    [Unreleased] stands for `installed` (the version being built) when no section has that
    version; otherwise it is left out."""
    from webstarter.update import version_key

    low, high = version_key(old), version_key(new)
    named = {release.version for release in releases if release.version}
    found = []
    for release in releases:
        version = release.version
        if version is None:
            if installed is None or installed in named:
                continue
            version = installed
        try:
            key = version_key(version)
        except WebstarterError:
            continue  # a heading that is not a version ("[Older]"): nothing to compare
        if low < key <= high:
            found.append(Release(version, release.date, release.changes))
    found.sort(key=lambda release: version_key(release.version or ""), reverse=True)
    return found


def changes_between(old: str, new: str) -> list[Release]:
    """The shipped CHANGELOG's entries that an update from `old` to `new` brings."""
    from webstarter.template_source import installed_version

    return between(read(), old, new, installed_version())


def as_markdown(releases: list[Release], heading: str = "###") -> str:
    """The entries as Markdown: a heading per version, a bold line per kind, a bullet each."""
    lines: list[str] = []
    for release in releases:
        date = f" ({release.date})" if release.date and release.date != UNRELEASED else ""
        lines.append(f"{heading} v{release.version}{date}")
        for kind, entries in release.changes.items():
            lines += ["", f"**{kind}**", ""]
            lines += [f"- {entry}" for entry in entries]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n" if lines else ""
