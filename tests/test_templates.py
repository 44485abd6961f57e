"""The template root itself: plain copier works, the shared partials hold shared text once,
every framework renders completely, and the validators' word lists match this Python."""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from webstarter.catalog import catalog
from webstarter.smoke.leftovers import unrendered

FRAMEWORKS = list(catalog())
# A framework file that uses a partial of templates/_shared/ is a stub: `{% include %}` alone on
# one line, or `{% extends %}` followed by nothing but blocks. Partials in a sub-folder of
# _shared/ other than python/ (sqlalchemy/) form a group: a framework that includes one of them
# needs them all; the others are needed by every framework.
SHARED_REFERENCE = re.compile(r'{%-?\s*(include|extends)\s+"(_shared/[^"]+)"')
BLOCK = re.compile(r"{%-?\s*block\s+(\w+)\s*-?%}.*?{%-?\s*endblock(\s+\1)?\s*-?%}", re.S)
# What else a child template may hold: the assignments and imports its blocks use.
SETUP = re.compile(r"{%-?\s*(set|from|import)\s[^%]*-?%}")
FRAMEWORK_WIDE = {"", "python"}


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


def is_stub(text: str) -> bool:
    """One `{% include "_shared/..." %}` line, or an `{% extends "_shared/..." %}` line and
    blocks only, with the `set`s and imports they use (Jinja ignores any other text in a child
    template, so nothing else may hide there)."""
    first, _, rest = text.partition("\n")
    if first.startswith('{% include "_shared/'):
        return not rest.strip()
    return (
        first.startswith('{% extends "_shared/') and not SETUP.sub("", BLOCK.sub("", rest)).strip()
    )


def shared_partials(templates: Path) -> dict[str, dict[str, str]]:
    """{partial: {framework: the framework's file that includes or extends it}}, every file of
    templates/_shared/ listed (with no framework when only other partials use it)."""
    shared = templates / "_shared"
    uses: dict[str, dict[str, str]] = {
        p.relative_to(templates).as_posix(): {} for p in shared.rglob("*") if p.is_file()
    }
    for framework in FRAMEWORKS:
        root = templates / framework
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            for _, partial in SHARED_REFERENCE.findall(path.read_text()):
                assert partial in uses, f"{path}: no such partial {partial}"
                uses[partial][framework] = path.relative_to(root).as_posix()
    return uses


def test_shared_partials_are_stubs_in_every_framework_that_needs_them(templates):
    uses = shared_partials(templates)
    texts = [p.read_text() for p in templates.rglob("*.jinja")]
    groups: dict[str, set[str]] = {}
    for partial, stubs in uses.items():
        folder = partial.split("/")[1] if partial.count("/") > 1 else ""
        if stubs and folder not in FRAMEWORK_WIDE:
            groups.setdefault(folder, set()).update(stubs)
    for partial, stubs in uses.items():
        if not stubs:  # macros, licenses: used by other partials
            parent = partial.rsplit("/", 1)[0] + "/"
            used = any(partial in t for t in texts)
            assert used or (parent != "_shared/" and any(parent in t for t in texts)), partial
            continue
        folder = partial.split("/")[1] if partial.count("/") > 1 else ""
        needed_by = groups.get(folder, set(FRAMEWORKS))
        assert set(stubs) == needed_by, f"{partial} is missing in {needed_by - set(stubs)}"
        for framework, stub in stubs.items():
            text = (templates / framework / stub).read_text()
            assert is_stub(text), f"{framework}/{stub} is more than a stub of {partial}"
        # Nor may a framework outside the group keep its own copy where the others have a stub.
        for framework in set(FRAMEWORKS) - needed_by:
            for stub in set(stubs.values()):
                assert not (templates / framework / stub).exists(), f"{framework}/{stub}"


def test_the_stub_check_sees_what_it_must(templates):
    assert is_stub('{% include "_shared/x.jinja" -%}\n')
    assert is_stub('{% extends "_shared/x.jinja" %}\n{% block a %}\nA\n{%- endblock %}\n')
    assert not is_stub('{% include "_shared/x.jinja" -%}\nmore\n')
    assert not is_stub('{% extends "_shared/x.jinja" %}\n{% block a %}A{% endblock %}\nhidden\n')
    uses = shared_partials(templates)
    sqlalchemy = {"flask", "pyramid", "bottle", "cherrypy"}
    assert set(uses["_shared/sqlalchemy/env.py.jinja"]) == sqlalchemy
    assert set(uses["_shared/python/logs.py.jinja"]) == set(FRAMEWORKS)


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
