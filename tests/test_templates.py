"""The template root itself: plain copier works, the shared partials hold shared text once,
every framework renders completely, and the validators' word lists match this Python."""

from __future__ import annotations

import keyword
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from webstarter.catalog import catalog
from webstarter.leftovers import unrendered

FRAMEWORKS = list(catalog())
SHARED_STUBS = [
    ".editorconfig.jinja",
    ".pre-commit-config.yaml.jinja",
    ".github/workflows/ci.yml.jinja",
    "{{_copier_conf.answers_file}}.jinja",
    "{% if license != 'proprietary' %}LICENSE{% endif %}.jinja",
    "{% if docker %}Dockerfile{% endif %}.jinja",
    "{% if docker %}.dockerignore{% endif %}.jinja",
    "{% if docker %}compose.yaml{% endif %}.jinja",
]


def render(templates: Path, dest: Path, **data: str) -> Path:
    run_copy(str(templates), dest, data=data, defaults=True, unsafe=True, quiet=True)
    return dest


def test_reserved_names_cover_this_python_and_every_supported_one(templates):
    """The stdlib list holds every module of this interpreter (whichever of 3.11 to 3.14 it
    is), the `test` package that sys.stdlib_module_names leaves out, and the modules that
    only some supported versions have: a name is refused if it shadows one on any of them."""
    spec = yaml.safe_load((templates / "questions" / "reserved-names.yml").read_text())
    names = {
        key: set(value.strip("|").split("|"))
        for key, value in spec["reserved_names"]["default"].items()
    }
    assert names["keywords"] == set(keyword.kwlist)
    assert set(sys.stdlib_module_names) | {"test"} <= names["stdlib"]
    removed_in_3_12_and_3_13 = {"distutils", "imp", "asyncore", "cgi", "telnetlib", "lib2to3"}
    added_in_3_14 = {"annotationlib", "compression"}
    assert removed_in_3_12_and_3_13 | added_in_3_14 <= names["stdlib"]
    assert set(catalog()) <= names["dependencies"]


def test_plain_copier_cli_renders_a_starter_without_webstarter(templates, tmp_path):
    dest = tmp_path / "plain"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--data",
            "framework=flask",
            str(templates),
            str(dest),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["_src_path"] == str(templates)
    assert (dest / "pyproject.toml").is_file()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_framework_renders_completely(templates, tmp_path, framework):
    dest = render(templates, tmp_path / "svc", framework=framework)
    assert unrendered(dest) == []
    readme = (dest / "README.md").read_text()
    fw = catalog()[framework]
    assert "<!--" in readme
    assert "-->" in readme
    comment = readme[readme.index("<!--") : readme.index("-->")]
    for item in (*fw.pros, *fw.cons):
        assert item in comment
    layout = readme.split("## Layout", 1)[1].split("##", 1)[0]
    assert "svc" in layout or "src/" in layout or "manage.py" in layout, "layout block is empty"
    assert fw.requirement in (dest / "pyproject.toml").read_text()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_shared_files_are_one_line_stubs(templates, framework):
    for stub in SHARED_STUBS:
        text = (templates / framework / stub).read_text()
        assert text.count("\n") <= 1, stub
        assert text.startswith(('{% include "_shared/', '{% extends "_shared/')), stub


def test_framework_only_questions_are_guarded(templates, tmp_path):
    django = render(templates, tmp_path / "dj", framework="django")
    flask = render(templates, tmp_path / "fl", framework="flask")
    assert "django_admin" in (django / ".copier-answers.yml").read_text()
    assert "django_admin" not in (flask / ".copier-answers.yml").read_text()


def test_leftover_scan_finds_unrendered_syntax(tmp_path):
    (tmp_path / "ok.html").write_text("{% block body %}{% endblock %}")
    (tmp_path / "ci.yml").write_text("python: ${{ matrix.python }}\n")
    assert unrendered(tmp_path) == []
    (tmp_path / "settings.py").write_text("NAME = '{{ project_name }}'\n")
    (tmp_path / "left.txt.jinja").write_text("x")
    assert unrendered(tmp_path) == ["left.txt.jinja", "settings.py:1"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_database_none_renders_no_database_code(templates, tmp_path, framework):
    """Render what is chosen, nothing else: no models, migrations, notes or drivers."""
    dest = render(templates, tmp_path / "svc", framework=framework, database="none")
    names = [p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()]
    assert [
        n for n in names if any(w in n for w in ("alembic", "migrations", "notes", "models"))
    ] == []
    text = "\n".join(p.read_text(errors="replace") for p in dest.rglob("*") if p.is_file())
    for word in ("sqlalchemy", "DATABASE_URL", "psycopg", "/api/notes"):
        assert word not in text, word


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_postgresql_option_brings_psycopg_and_requires_database_url(templates, tmp_path, framework):
    dest = render(templates, tmp_path / "svc", framework=framework, database="postgresql")
    assert '"psycopg[binary]>=3.2"' in (dest / "pyproject.toml").read_text()
    assert "| `DATABASE_URL` | none: required |" in (dest / "README.md").read_text()
