"""Type hints throughout: mypy checks the package with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_package_is_type_checked_clean():
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
