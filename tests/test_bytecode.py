"""The smoke harness's bytecode cache: saved by file identity, placed back beside the same
file in a new venv, and used by a real interpreter without compiling again."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import cache_from_source
from pathlib import Path

import pytest

from webstarter.smoke import bytecode

SITE = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
SOURCE = "def where():\n    return where.__code__.co_filename\n"


def linked_venv(root: Path, name: str, package_file: Path) -> Path:
    """A venv-shaped folder whose module is a hard link to `package_file`, as uv makes it."""
    venv = root / name
    site = venv / SITE
    site.mkdir(parents=True)
    os.link(package_file, site / "linked_mod.py")
    (site / "copied_mod.py").write_text(SOURCE)  # one link, as pip installs it
    return venv


def import_in(venv: Path, module: str) -> str:
    """Import `module` from the venv's site-packages in a new interpreter that writes bytecode."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.where())"],
        env={**env, "PYTHONPATH": str(venv / SITE)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def uv_cache_file(tmp_path: Path) -> Path:
    """A module file as uv keeps it in its cache, to be linked into venvs."""
    path = tmp_path / "uv-cache" / "linked_mod.py"
    path.parent.mkdir()
    path.write_text(SOURCE)
    return path


def test_bytecode_of_a_linked_file_is_reused_by_the_next_venv(tmp_path, uv_cache_file):
    cache = tmp_path / "cache"
    first = linked_venv(tmp_path, "first", uv_cache_file)
    assert bytecode.restore(first, cache) == 0  # nothing saved yet
    import_in(first, "linked_mod")
    import_in(first, "copied_mod")
    assert bytecode.save(first, cache) == 1  # the copied file is not kept
    assert bytecode.save(first, cache) == 0  # already there

    second = linked_venv(tmp_path, "second", uv_cache_file)
    assert bytecode.restore(second, cache) == 1
    placed = Path(cache_from_source(str(second / SITE / "linked_mod.py")))
    before = placed.stat()
    assert not Path(cache_from_source(str(second / SITE / "copied_mod.py"))).exists()
    # Python takes the placed file as it is (no rewrite) and names the code after its new path.
    assert import_in(second, "linked_mod") == str(second / SITE / "linked_mod.py")
    after = placed.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_changed_file_gets_no_saved_bytecode(tmp_path, uv_cache_file):
    cache = tmp_path / "cache"
    first = linked_venv(tmp_path, "first", uv_cache_file)
    import_in(first, "linked_mod")
    assert bytecode.save(first, cache) == 1
    uv_cache_file.write_text(SOURCE + "# a newer release\n")  # other size and mtime
    second = linked_venv(tmp_path, "second", uv_cache_file)
    assert bytecode.restore(second, cache) == 0
    assert import_in(second, "linked_mod").endswith("linked_mod.py")


def test_no_cache_folder_places_nothing(tmp_path, uv_cache_file):
    venv = linked_venv(tmp_path, "venv", uv_cache_file)
    assert bytecode.restore(venv, tmp_path / "missing") == 0


def test_webstarter_under_python_o_places_the_bytecode_cells_read(tmp_path, uv_cache_file):
    """Cells run without -O: the names are theirs even when webstarter runs optimized."""
    cache = tmp_path / "cache"
    first = linked_venv(tmp_path, "first", uv_cache_file)
    import_in(first, "linked_mod")
    assert bytecode.save(first, cache) == 1
    second = linked_venv(tmp_path, "second", uv_cache_file)
    code = "import sys; from pathlib import Path; from webstarter.smoke import bytecode; "
    code += f"print(bytecode.restore(Path({str(second)!r}), Path({str(cache)!r})))"
    placed = subprocess.run(
        [sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True
    )
    assert placed.stdout.strip() == "1"
    pycache = second / SITE / "__pycache__"
    assert [path.name for path in pycache.iterdir()] == [
        f"linked_mod.{sys.implementation.cache_tag}.pyc"
    ]
