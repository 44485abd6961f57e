"""Fresh virtual environments for generated projects: uv (a dependency), or venv + pip.

Both share their package caches across projects, so the second install of a starter costs
little more than linking files.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from webstarter.smoke.processes import run


def find_uv() -> str | None:
    """The uv webstarter depends on (PyPI's `uv` ships the binary), else uv on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        pass
    beside = Path(sys.executable).parent / "uv"
    return shutil.which("uv") or (str(beside) if beside.is_file() else None)


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def install_project(
    project: Path, env: dict[str, str], log: Path, timeout: float, use_uv: bool = True
) -> Path:
    """Create `project/.venv` and install the project editable with its dev extra."""
    venv = project / ".venv"
    python = bin_dir(venv) / "python"
    uv = find_uv() if use_uv else None
    if uv:
        uv_env = {**env, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
        run(
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            project,
            uv_env,
            log,
            timeout,
        )
        run(
            [uv, "pip", "install", "--python", str(python), "-e", ".[dev]"],
            project,
            uv_env,
            log,
            timeout,
        )
    else:
        run([sys.executable, "-m", "venv", str(venv)], project, env, log, timeout)
        run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[dev]"],
            project,
            env,
            log,
            timeout,
        )
    return venv
