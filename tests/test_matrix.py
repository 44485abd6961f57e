"""The smoke matrix: defaults first, then every value of every choice question per framework."""

from __future__ import annotations

import sys

import pytest

from webstarter.errors import UsageError
from webstarter.questions import load_questions
from webstarter.smoke.matrix import Cell, build_matrix, parse_options


@pytest.fixture
def questions(templates):
    return load_questions(templates / "copier.yml")


def test_quick_matrix_is_one_default_cell_per_framework(questions):
    cells = build_matrix(["flask", "django"], questions, defaults_only=True)
    assert cells == [Cell("flask"), Cell("django")]


def test_full_matrix_covers_every_value_of_every_choice_per_framework(questions):
    cells = build_matrix(["flask", "django"], questions)
    for framework in ("flask", "django"):
        mine = [cell for cell in cells if cell.framework == framework]
        assert mine[0] == Cell(framework)
        licenses = {cell.data.get("license", "MIT") for cell in mine}
        assert licenses == {"MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-or-later", "proprietary"}
        assert len(mine) == 5  # pairwise: 4 extra cells, not a cross-product
    django_admin = {cell.data.get("django_admin") for cell in cells if cell.framework == "django"}
    assert "false" in django_admin
    assert all("django_admin" not in cell.data for cell in cells if cell.framework == "flask")


def test_every_database_meets_a_container_somewhere(questions):
    """The container step runs in cells with docker on: each database must be among them."""
    for framework in ("flask", "django", "pyramid", "bottle", "cherrypy"):
        cells = build_matrix([framework], questions)
        built = {
            cell.data.get("database", "sqlite")
            for cell in cells
            if cell.data.get("docker", "true") == "true"
        }
        assert built == {"sqlite", "postgresql", "none"}, (framework, cells)
        assert any(cell.data.get("docker") == "false" for cell in cells)


def test_python_versions_newer_than_this_interpreter_are_left_out(questions):
    cells = build_matrix(["flask"], questions)
    running = sys.version_info[:2]
    chosen = {cell.data.get("python_version", "3.11") for cell in cells}
    assert all(tuple(map(int, version.split("."))) <= running for version in chosen)
    offered = set(questions["python_version"].choices)
    installable = {v for v in offered if tuple(map(int, v.split("."))) <= running}
    assert chosen == installable  # every installable version runs, the newer ones do not


def test_chosen_options_replace_the_matrix(questions):
    chosen = parse_options(["license=proprietary", "django_admin=false"], questions)
    cells = build_matrix(["flask", "django"], questions, chosen)
    assert cells == [
        Cell("flask", (("license", "proprietary"),)),
        Cell("django", (("license", "proprietary"), ("django_admin", "false"))),
    ]
    assert cells[1].name == "django[license=proprietary,django_admin=false]"


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("license", "is not KEY=VALUE"),
        ("colour=red", "no such question"),
        ("license=WTFPL", "not one of MIT"),
        ("framework=flask", "no such question"),
    ],
)
def test_bad_options_are_usage_errors(questions, pair, message):
    with pytest.raises(UsageError, match=message):
        parse_options([pair], questions)


def test_a_cell_from_an_older_release_says_so_in_its_name():
    assert Cell("flask", origin="0.1.0").name == "flask from v0.1.0"
    assert (
        Cell("flask", (("database", "none"),), "0.1.0").name == "flask[database=none] from v0.1.0"
    )
    assert Cell("flask", origin="0.1.0") != Cell("flask")
