"""`webstarter bench`: real wrk against a real, installed starter and its bare framework;
bad input and a missing load generator refused in one line; Ctrl-C leaves no process."""

from __future__ import annotations

import json
import shlex
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from conftest import interrupt_leaves_nothing, processes_under

from webstarter.bench.bare import swap_app
from webstarter.bench.chart import write_chart
from webstarter.bench.loadgen import LoadResult
from webstarter.bench.run import Measurement, median_cpu_ratio, median_ratio, median_round
from webstarter.bench.usage import session_cpu
from webstarter.catalog import catalog
from webstarter.cli import app
from webstarter.next_steps import render_command

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """bench keeps its last figures in webstarter's cache (for `info`): not the user's."""
    monkeypatch.setenv("WEBSTARTER_CACHE_DIR", str(tmp_path / "webstarter-cache"))


def bench(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webstarter", "bench", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.e2e
@needs_wrk
def test_django_starter_and_both_bare_references_under_real_load(tmp_path):
    """Django: the starter's api and notes routes, next to startproject's bare project with
    and without its default middleware, under granian, with wrk."""
    report, chart = tmp_path / "bench.json", tmp_path / "bench.svg"
    done = bench(
        *("-f", "django", "--route", "api", "--route", "notes"),
        # 4 s: wrk's Lua clock has whole seconds, so a notes run writes for between
        # duration - 3 and duration - 2 seconds (then reads only): at 2 s that window could
        # be too short on a slow machine for a note to be created and then deleted.
        *("--duration", "4", "--connections", "4", "--warmup", "1"),
        *("--json", str(report), "--chart", str(chart), "--workdir", str(tmp_path / "work")),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(report.read_text())
    assert data["command"] == (
        "webstarter bench -f django --route api --route notes --duration 4 --connections 4"
    )
    assert data["machine"]["cpus"] >= 1
    assert data["load_generator"]["name"] == "wrk"
    assert data["ok"] is True
    rows = {(row["route"], row["app"]): row for row in data["results"]}
    assert set(rows) == {
        ("api", "starter"),
        ("api", "bare"),
        ("api", "bare-no-middleware"),
        ("notes", "starter"),
    }
    for row in rows.values():
        assert row["server"] == "granian"
        assert row["requests"] > 50
        assert 3.5 < row["seconds"] < 6
        assert row["rps"] == pytest.approx(row["requests"] / row["seconds"], rel=0.01)
        assert 0 < row["p50_ms"] <= row["p99_ms"]
        assert row["socket_errors"] == row["non_2xx"] == row["server_errors_5xx"] == 0
        assert sum(row["statuses"].values()) == row["requests"]
        assert 10 < row["peak_rss_mb"] < 2000  # the server's tree, not wrk's or ours
        assert row["sigterm_exit"] in (0, -signal.SIGTERM)
        # The server's CPU while loaded: some, and no more than every core for the run.
        assert 0 < row["server_cpu_s"] <= data["machine"]["cpus"] * row["seconds"] * 1.1
        assert row["server_cpu_us_per_request"] == pytest.approx(
            row["server_cpu_s"] * 1e6 / row["requests"], rel=0.01
        )
    # Every api answer a 200: a redirect (plain HTTP to a production Django) would show here.
    assert rows["api", "starter"]["statuses"] == {"200": rows["api", "starter"]["requests"]}
    starter = rows["api", "starter"]
    assert starter["ratio"] == pytest.approx(starter["rps"] / rows["api", "bare"]["rps"], abs=0.01)
    assert starter["cpu_ratio"] == pytest.approx(
        rows["api", "bare"]["server_cpu_us_per_request"] / starter["server_cpu_us_per_request"],
        abs=0.01,
    )
    assert set(starter["cpu_ratios"]) == {"bare", "bare-no-middleware"}
    assert starter["ratios"]["bare-no-middleware"] == pytest.approx(
        starter["rps"] / rows["api", "bare-no-middleware"]["rps"], abs=0.01
    )
    notes = rows["notes", "starter"]["notes"]
    assert notes["creates"] > 0
    assert notes["deletes"] > 0
    assert notes["after"] - notes["before"] == notes["creates"] - notes["deletes"]
    assert notes["consistent"] is True
    assert rows["notes", "starter"]["statuses"]["201"] == notes["creates"]
    svg = ET.parse(chart).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert "django" in chart.read_text()
    assert "bare-no-middleware" in chart.read_text()
    assert "starter" in done.stdout
    assert "ratio" in done.stdout
    assert processes_under(tmp_path) == []
    # The same --workdir again: the kept starter is reused, the bare projects made anew.
    again = bench(
        *("-f", "django", "--route", "api", "--duration", "1", "--connections", "2"),
        *("--warmup", "0", "--json", str(report), "--workdir", str(tmp_path / "work")),
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing the starter kept in" in again.stdout + again.stderr
    assert json.loads(report.read_text())["ok"] is True
    assert processes_under(tmp_path) == []


def test_without_a_load_generator_it_says_how_to_install_one(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither wrk nor oha here
    result = runner.invoke(app, ["bench", "-f", "flask", "--workdir", str(tmp_path / "work")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: no load generator (wrk or oha) is on PATH: install wrk (apt-get install wrk) "
        "or oha (https://github.com/hatoo/oha)"
    )
    assert not (tmp_path / "work").exists()  # refused before anything was generated


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "login"], "error: unknown route 'login'; choose from api, page, notes"),
        (["--duration", "0"], "error: --duration must be between 1 and 300 seconds"),
        (["--duration", "301"], "error: --duration must be between 1 and 300 seconds"),
        (["--connections", "0"], "error: --connections must be between 1 and 1024"),
        (["--rounds", "0"], "error: --rounds must be between 1 and 20"),
        (["--rounds", "21"], "error: --rounds must be between 1 and 20"),
        (["--chart", "bench.gif"], "error: --chart must end in .png or .svg, not 'bench.gif'"),
        (
            ["--server", "uvicorn"],
            "error: unknown server 'uvicorn' for flask; choose from granian, gunicorn, waitress",
        ),
        (
            ["-f", "flaks"],
            "error: unknown framework 'flaks'; choose one of: django, flask, "
            "pyramid, bottle, cherrypy. Did you mean 'flask'?",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, args, message):
    result = runner.invoke(app, ["bench", "-f", "flask", *args, "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == message
    assert not (tmp_path / "w").exists()


def test_a_workdir_holding_something_else_is_left_alone(runner, tmp_path):
    project = tmp_path / "work" / "flask" / "project"
    project.mkdir(parents=True)
    (project / "mine.txt").write_text("not a starter")
    result = runner.invoke(app, ["bench", "-f", "flask", "--workdir", str(tmp_path / "work")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"error: '{project}' exists and is not a starter made by webstarter bench: "
        "choose another --workdir"
    )
    assert "Traceback" not in result.output
    assert (project / "mine.txt").read_text() == "not a starter"


def test_chart_without_matplotlib_names_the_extra(runner, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    result = runner.invoke(app, ["bench", "--chart", str(tmp_path / "c.png")])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: --chart needs matplotlib: pip install 'webstarter[bench]'"
    )


@pytest.mark.parametrize("framework", list(catalog()))
def test_bare_apps_run_under_the_starters_own_server_command(framework):
    """Each catalog server command keeps its options (workers, proxy trust) and serves the
    bare app instead of the starter's."""
    for name, command in catalog()[framework].commands.servers.items():
        argv = shlex.split(render_command(command, "pkg", "127.0.0.1", 8123))
        swapped = swap_app(argv, "webstarter_bare:app", "webstarter_bare", "bare.ini")
        assert swapped[0] == argv[0]
        assert not {"--factory", "--call", "--paste", "production.ini"} & set(swapped)
        assert not any("pkg" in arg or "config.wsgi" in arg for arg in swapped), (name, swapped)
        assert "8123" in " ".join(swapped)
        served = {"webstarter_bare:app", "webstarter_bare", "bare.ini"} & set(swapped)
        assert len(served) == 1, (name, swapped)


def measured(framework: str, app: str, requests: int, rss: float = 50.0) -> Measurement:
    load = LoadResult(requests, 2.0, 1.0, 3.0, {"connect": 0}, {200: requests})
    return Measurement(framework, "granian", "api", app, load, rss)


def test_rounds_report_the_median_run_and_keep_every_rounds_failure():
    rounds = [measured("flask", "starter", n, rss) for n, rss in [(900, 60), (300, 80), (600, 70)]]
    rounds[1].load.statuses = {200: 290, 500: 10}  # the slowest round answered some 500s
    chosen = median_round(rounds)
    assert chosen is rounds[2]  # 600 requests in 2 s: the middle one
    assert chosen.rounds_rps == [450.0, 150.0, 300.0]
    assert chosen.peak_rss_mb == 80  # the highest of the three
    assert chosen.problems == ["round 2: 10 5xx answers"]
    even = median_round([measured("flask", "bare", n) for n in (400, 800, 200, 600)])
    assert even.load.requests == 400  # the lower of the two middle runs, never an average


def test_the_ratio_of_rounds_is_the_median_of_each_rounds_ratio():
    starter = [measured("bottle", "starter", n) for n in (800, 450, 900)]
    bare = [measured("bottle", "bare", n) for n in (1000, 500, 1200)]
    # Per round: 0.8, 0.9, 0.75; the ratio of the median runs would be 800/1000.
    assert median_ratio(starter, bare) == 0.8
    assert median_ratio(starter[:2], bare[:2]) == 0.85
    assert median_ratio(starter[:1], [measured("bottle", "bare", 0)]) is None


def test_the_cpu_ratio_is_the_median_of_each_rounds_bare_over_starter_cpu():
    starter = [measured("flask", "starter", 1000) for _ in range(3)]
    bare = [measured("flask", "bare", 1000) for _ in range(3)]
    for m, seconds in zip(starter + bare, [0.5, 0.4, 0.25, 0.4, 0.4, 0.25], strict=True):
        m.server_cpu_s = seconds
    assert starter[0].cpu_us_per_request == 500  # 0.5 s over 1,000 requests
    # Per round: 400/500, 400/400, 250/250 microseconds.
    assert median_cpu_ratio(starter, bare) == 1.0
    assert median_cpu_ratio(starter[:1], bare[:1]) == 0.8
    unmeasured = [measured("flask", "bare", 1000)]  # no /proc: no figure, not a zero ratio
    assert median_cpu_ratio(starter[:1], unmeasured) is None


def test_session_cpu_counts_the_sessions_processes_only(tmp_path):
    """A process in its own session that burns CPU: its session's seconds grow by about as
    much, and a session of nothing has none."""
    burner = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.6\n"
         "while time.process_time() < end: pass\ntime.sleep(30)"],
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while session_cpu(burner.pid) < 0.6:
            assert time.monotonic() < deadline, session_cpu(burner.pid)
            time.sleep(0.05)
        assert session_cpu(burner.pid) < 2.0  # its own 0.6 s and start-up, not ours
    finally:
        burner.kill()
        burner.wait()
    assert session_cpu(burner.pid) == 0.0  # gone


def test_png_chart_is_a_real_png(tmp_path):
    rows = [measured("flask", "starter", 5000), measured("flask", "bare", 7000)]
    chart = tmp_path / "chart.png"
    write_chart(rows, chart, "test chart")
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 300
    assert height > 200
    assert list(tmp_path.iterdir()) == [chart]  # no partial file left behind


@pytest.mark.e2e
@needs_wrk
def test_rounds_alternate_starter_and_bare_and_report_each_round(tmp_path):
    report, work = tmp_path / "bench.json", tmp_path / "work"
    done = bench(
        *("-f", "bottle", "--rounds", "2", "--duration", "1", "--connections", "2"),
        *("--warmup", "0", "--json", str(report), "--workdir", str(work)),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(report.read_text())
    assert data["command"].endswith("--duration 1 --connections 2 --rounds 2")
    assert data["settings"]["rounds"] == 2
    rows = {row["app"]: row for row in data["results"]}
    assert set(rows) == {"starter", "bare"}
    for row in rows.values():
        assert len(row["rounds_rps"]) == 2
        assert all(rps > 0 for rps in row["rounds_rps"])
        assert row["rps"] == pytest.approx(min(row["rounds_rps"]), abs=0.1)  # lower middle
    starter_rps, bare_rps = rows["starter"]["rounds_rps"], rows["bare"]["rounds_rps"]
    each = [s / b for s, b in zip(starter_rps, bare_rps, strict=True)]
    assert rows["starter"]["ratio"] == pytest.approx(sum(each) / 2, abs=0.01)
    # Round 1 loads the starter first, round 2 the bare app first: each server's log is last
    # written when it stops.
    logs = {
        (app, number): (work / "bottle" / "runs" / f"granian-api-{app}-round{number}")
        / "server.log"
        for app in ("starter", "bare")
        for number in (1, 2)
    }
    stopped = {key: log.stat().st_mtime_ns for key, log in logs.items()}
    assert stopped["starter", 1] < stopped["bare", 1] < stopped["bare", 2] < stopped["starter", 2]
    assert "median of" in done.stdout
    assert processes_under(tmp_path) == []
    # `info` shows this run's starter figures, with the command that measured them.
    info = subprocess.run(
        [sys.executable, "-m", "webstarter", "info", "bottle"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert f"wrk: {data['command']}" in info.stdout
    assert f"granian api: {rows['starter']['rps']:,.0f} req/s, " in info.stdout


@pytest.mark.e2e
@needs_wrk
def test_ctrl_c_stops_every_server_and_load_generator(tmp_path):
    work = tmp_path / "work"
    process = subprocess.Popen(
        [sys.executable, "-m", "webstarter", "bench", "-f", "bottle", "--duration", "60",
         "--workdir", str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list(work.glob("*/runs/*/api.lua")):  # wrk is loading a server
        assert time.monotonic() < deadline, "the load never started"
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        time.sleep(0.1)
    time.sleep(1.5)  # past the warm-up: the measured run's wrk and the server are running
    assert processes_under(work), "nothing was running to interrupt"
    interrupt_leaves_nothing(
        process, work, "interrupted; every server and load generator was stopped"
    )
