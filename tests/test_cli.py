"""The CLI's read-only commands: list, info, --version, --help."""

from __future__ import annotations

import json
import subprocess
import sys

from webstarter import __version__
from webstarter.cli import app


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"webstarter {__version__}"


def test_list_table_has_five_rows(runner):
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    for key in ("django", "flask", "pyramid", "bottle", "cherrypy"):
        assert key in result.output
    assert "Django>=5.2,<6.0" in result.output


def test_list_json_matches_the_catalog(runner):
    result = runner.invoke(app, ["list", "--json"])
    data = json.loads(result.output)
    assert [item["key"] for item in data] == ["django", "flask", "pyramid", "bottle", "cherrypy"]
    assert data[4]["latest_release"]["date"] == "2024-06-14"


def test_info_prints_pros_cons_and_staleness(runner):
    result = runner.invoke(app, ["info", "cherrypy"])
    assert result.exit_code == 0
    assert "Pros" in result.output
    assert "Cons" in result.output
    assert "months ago" in result.output
    assert "Ships its own production-grade" in result.output


def test_info_json(runner):
    data = json.loads(runner.invoke(app, ["info", "flask", "--json"]).output)
    assert data["name"] == "Flask"
    assert data["commands"]["servers"]["waitress"].startswith("waitress-serve")


def test_info_unknown_framework_is_one_line_exit_2(runner):
    result = runner.invoke(app, ["info", "flaks"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: unknown framework 'flaks'; choose one of: django, flask, pyramid, bottle, "
        "cherrypy. Did you mean 'flask'?"
    ]


def test_help_and_list_do_not_import_copier():
    code = (
        "import sys; from webstarter.cli import app\n"
        "try:\n    app(['list'])\nexcept SystemExit:\n    pass\n"
        "print('COPIER' if 'copier' in sys.modules else 'CLEAN', file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stderr.strip().endswith("CLEAN")


def test_console_script_and_module_entry_points_agree():
    module = subprocess.run(
        [sys.executable, "-m", "webstarter", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert module.stdout.strip() == f"webstarter {__version__}"
