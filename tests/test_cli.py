"""The CLI's read-only commands: list, info, --version, --help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def bench_report(ok: bool = True, route: str = "api", rps: float = 4321.0) -> dict:
    """A `webstarter bench --json` report of one Bottle starter row and its bare row."""
    row = {
        "framework": "bottle", "server": "granian", "route": route, "app": "starter",
        "rps": rps, "p99_ms": 12.5, "peak_rss_mb": 80.0, "socket_errors": 0,
        "server_errors_5xx": 0 if ok else 3, "ratios": {"bare": 0.93},
        "server_cpu_us_per_request": 76.4, "cpu_ratios": {"bare": 0.91},
    }  # fmt: skip
    return {
        "date": "2026-12-07T20:35:50+00:00",
        "command": f"webstarter bench -f bottle --route {route}",
        "machine": {"cpus": 2, "cpu": "AMD EPYC", "python": "3.11.7"},
        "load_generator": {"name": "wrk", "version": "4.1.0"},
        "settings": {"duration_s": 10},
        "results": [row, {**row, "app": "bare", "ratios": {}, "cpu_ratios": {}}],
        "ok": ok,
    }


def test_info_shows_the_last_bench_figures_with_where_they_come_from(runner, tmp_path, monkeypatch):
    from webstarter.bench import last_run

    monkeypatch.setenv("WEBSTARTER_CACHE_DIR", str(tmp_path))
    result = runner.invoke(app, ["info", "bottle"])
    assert "Measured here: nothing yet (`webstarter bench -f bottle`" in result.output
    assert last_run.save(bench_report(ok=False)) == []  # a failed run's figures are not kept
    assert last_run.load("bottle") is None
    assert last_run.save(bench_report()) == ["bottle"]
    assert last_run.save(bench_report(route="notes", rps=650.0)) == ["bottle"]
    assert last_run.save(bench_report(rps=5000.0)) == ["bottle"]  # replaces the first api row
    result = runner.invoke(app, ["info", "bottle"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("Measured here by webstarter bench (its last figures for each route):")
    assert lines[at + 1 :] == [
        "  2026-12-07 20:35 UTC, 2 cores AMD EPYC, Python 3.11.7, wrk: "
        "webstarter bench -f bottle --route api",
        "    granian api: 5,000 req/s, 0.93x bare, p99 12.5 ms, server CPU 76 us/request "
        "(0.91x bare), peak RSS 80 MB, 0 socket errors, 0 5xx",
        "  2026-12-07 20:35 UTC, 2 cores AMD EPYC, Python 3.11.7, wrk: "
        "webstarter bench -f bottle --route notes",
        "    granian notes: 650 req/s, 0.93x bare, p99 12.5 ms, server CPU 76 us/request "
        "(0.91x bare), peak RSS 80 MB, 0 socket errors, 0 5xx",
    ]
    data = json.loads(runner.invoke(app, ["info", "bottle", "--json"]).output)
    assert [run["results"][0]["rps"] for run in data["last_bench"]["runs"]] == [650.0, 5000.0]
    assert json.loads(runner.invoke(app, ["info", "flask", "--json"]).output)["last_bench"] is None


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"runs": [{"results": [{"app": "starter"}]}]}', '{"runs": []}']
)
def test_info_with_an_unreadable_bench_file_shows_nothing_measured(
    runner, tmp_path, monkeypatch, content
):
    monkeypatch.setenv("WEBSTARTER_CACHE_DIR", str(tmp_path))
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "bottle.json").write_text(content)
    result = runner.invoke(app, ["info", "bottle"])
    assert result.exit_code == 0, result.output
    assert "Measured here: nothing yet" in result.output
