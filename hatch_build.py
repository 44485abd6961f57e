"""Hatch build hook: ship the template history (a git bundle) inside the wheel.

`webstarter update` replays old template versions from it, offline. A wheel built from an
sdist takes the bundle the sdist carries; a wheel or sdist built from a git checkout makes it
from the repository's history (see src/webstarter/history.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = "templates.bundle"


class TemplateHistoryHook(BuildHookInterface):
    PLUGIN_NAME = "template-history"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # a source checkout builds its bundle on demand
        root = Path(self.root)
        shipped = root / BUNDLE
        if not (root / ".git").exists():
            if not shipped.is_file():
                raise RuntimeError("no git history and no templates.bundle to ship")
            bundle = shipped
        else:
            sys.path.insert(0, str(root / "src"))
            from webstarter.history import build_bundle

            bundle = Path(tempfile.mkdtemp(prefix="webstarter-build-")) / BUNDLE
            build_bundle(root, bundle)
        target = BUNDLE if self.target_name == "sdist" else f"webstarter/{BUNDLE}"
        build_data["force_include"][str(bundle)] = target
