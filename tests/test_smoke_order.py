"""The smoke run starts the cells that took longest last time first (durations.py), reports
them in matrix order, and remembers this run's durations; a broken cache orders nothing."""

from __future__ import annotations

import json
import math
import threading

import pytest

from webstarter.smoke import durations
from webstarter.smoke.matrix import Cell
from webstarter.smoke.runner import CellResult, CellRunner, SmokeRun, StepResult


def test_unknown_cells_start_first_then_the_longest():
    names = ["django", "flask", "pyramid", "bottle", "cherrypy"]
    known = {"django": 30.0, "flask": 20.0, "pyramid": 50.0, "bottle": 20.0}
    order = [names[index] for index in durations.longest_first(names, known)]
    # cherrypy was never seen; flask and bottle tie and keep their matrix order.
    assert order == ["cherrypy", "pyramid", "django", "flask", "bottle"]
    assert durations.longest_first(names, {}) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"flask": "slow"}', '{"flask": -1}', '{"flask": NaN}'],
)
def test_a_broken_durations_file_orders_nothing(tmp_path, text):
    path = tmp_path / "smoke-durations.json"
    path.write_text(text)
    assert durations.load(path) == {}
    assert durations.load(tmp_path / "missing.json") == {}
    assert durations.load(None) == {}


def test_save_merges_with_what_was_known(tmp_path):
    path = tmp_path / "cache" / "smoke-durations.json"
    durations.save(path, [("flask", 21.04), ("django", 30.0)])
    durations.save(path, [("flask", 18.96)])
    assert durations.load(path) == {"flask": 19.0, "django": 30.0}
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    durations.save(blocked / "smoke-durations.json", [("flask", 1.0)])  # no error
    assert durations.load(blocked / "smoke-durations.json") == {}


def test_the_file_lives_in_the_tools_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("WEBSTARTER_CACHE_DIR", str(tmp_path))
    assert durations.durations_file() == tmp_path / durations.FILE_NAME


def test_a_run_starts_the_longest_cells_first_and_reports_in_matrix_order(
    monkeypatch, tmp_path, templates
):
    seconds = {"flask": 5.0, "django": 40.0, "bottle": 12.0}
    started: list[str] = []
    lock = threading.Lock()

    def fake_run(self: CellRunner) -> CellResult:
        with lock:
            started.append(self.cell.name)
        step = StepResult("generate", True, seconds[self.cell.name] + 1)
        return CellResult(self.cell, self.folder, [step])

    monkeypatch.setattr(CellRunner, "run", fake_run)
    path = tmp_path / "smoke-durations.json"
    path.write_text(json.dumps(seconds))
    cells = [Cell("flask"), Cell("django"), Cell("bottle")]
    smoke = SmokeRun(templates, cells, tmp_path / "work", jobs=1, keep=True, durations=path)
    results = smoke.run()
    assert started == ["django", "bottle", "flask"]
    assert [result.cell.name for result in results] == ["flask", "django", "bottle"]
    # Each cell's folder keeps its matrix number, whatever order it ran in.
    assert [result.folder.name for result in results] == ["01-flask", "02-django", "03-bottle"]
    remembered = durations.load(path)
    assert remembered == {name: value + 1 for name, value in seconds.items()}
    assert all(math.isfinite(value) for value in remembered.values())


def test_without_a_durations_file_cells_start_in_matrix_order(monkeypatch, tmp_path, templates):
    started: list[str] = []
    monkeypatch.setattr(
        CellRunner,
        "run",
        lambda self: started.append(self.cell.name) or CellResult(self.cell, self.folder),
    )
    cells = [Cell("flask"), Cell("django"), Cell("bottle")]
    SmokeRun(templates, cells, tmp_path / "work", jobs=1, keep=True).run()
    assert started == ["flask", "django", "bottle"]
