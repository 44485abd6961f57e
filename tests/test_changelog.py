"""The CHANGELOG reader: Keep a Changelog sections, the entries between two versions, and
[Unreleased] standing for the version being built until it has a heading of its own."""

from __future__ import annotations

import zipfile

import pytest
from conftest import REPO
from releases import build_wheel, copy_checkout

from webstarter.changelog import as_markdown, between, changelog_path, parse, read
from webstarter.template_source import installed_version

TEXT = """\
# Changelog

Intro text, not an entry.

## [Unreleased]

### Added
- Next thing,
  wrapped over two lines.

## [1.2.0] - 2026-03-01

### Changed
- One.
- Two.

### Fixed
* Three.

## [1.1.0] - 2026-02-01

### Added
- Four.

## [1.0.0] - 2026-01-01

### Added
- Five.

[1.2.0]: https://example.org/compare/v1.1.0...v1.2.0
"""


def versions(found) -> list[str]:
    return [release.version for release in found]


def test_sections_kinds_and_wrapped_entries():
    releases = parse(TEXT)
    assert [(r.version, r.date) for r in releases] == [
        (None, None),
        ("1.2.0", "2026-03-01"),
        ("1.1.0", "2026-02-01"),
        ("1.0.0", "2026-01-01"),
    ]
    assert releases[0].changes == {"Added": ["Next thing, wrapped over two lines."]}
    assert releases[1].changes == {"Changed": ["One.", "Two."], "Fixed": ["Three."]}
    assert releases[3].changes == {"Added": ["Five."]}  # the link line is no entry


def test_between_is_exclusive_below_inclusive_above_newest_first():
    releases = parse(TEXT)
    assert versions(between(releases, "1.0.0", "1.2.0")) == ["1.2.0", "1.1.0"]
    assert versions(between(releases, "1.1.0", "1.1.0")) == []
    assert versions(between(releases, "0.1", "1.0.0")) == ["1.0.0"]


def test_unreleased_counts_as_the_version_being_built_until_it_has_a_heading():
    releases = parse(TEXT)
    assert versions(between(releases, "1.1.0", "1.3.0", installed="1.3.0")) == ["1.3.0", "1.2.0"]
    assert versions(between(releases, "1.1.0", "1.3.0", installed="1.2.0")) == ["1.2.0"]
    assert versions(between(releases, "1.1.0", "1.3.0")) == ["1.2.0"]


def test_markdown_names_each_version_and_kind():
    text = as_markdown(between(parse(TEXT), "1.0.0", "1.2.0"))
    assert text.startswith("### v1.2.0 (2026-03-01)\n\n**Changed**\n\n- One.\n- Two.\n")
    assert "### v1.1.0 (2026-02-01)" in text
    assert as_markdown([]) == ""


def test_the_projects_changelog_reads_cleanly():
    """Every release has entries, each under a Keep a Changelog kind; the installed version's
    entries are found (under its heading, or under [Unreleased] while it has none)."""
    releases = read(REPO / "CHANGELOG.md")
    kinds = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert releases
    for release in releases:
        assert release.count > 0, release.version
        assert set(release.changes) <= kinds, release.changes
    assert between(releases, "0.1.0", installed_version(), installed_version())


@pytest.mark.e2e
def test_the_wheel_ships_the_changelog(tmp_path):
    repo = copy_checkout(tmp_path / "repo")
    wheel = build_wheel(repo, tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("webstarter/CHANGELOG.md")
    assert shipped == (REPO / "CHANGELOG.md").read_bytes()
    assert changelog_path().name == "CHANGELOG.md"
