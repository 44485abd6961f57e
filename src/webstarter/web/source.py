"""The template `webstarter serve` serves: the installed one, or a team's local fork of it.

A fork must look like webstarter's templates (copier.yml with a `framework` question and the
catalog.yml that describes each framework) and must not run code: copier tasks, migrations
and Jinja extensions are refused when the server starts, and copier renders it with
`unsafe=False`, so nothing slips through later edits either.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webstarter.catalog import CATALOG_FILE, Framework, load_catalog
from webstarter.errors import UsageError, WebstarterError
from webstarter.questions import Question, load_copier_config, load_questions
from webstarter.resources import template_root

# a fingerprint with the catalog, questions and hidden values read at that fingerprint
Loaded = tuple[str, dict[str, Framework], dict[str, Question], dict[str, Any]]
FINGERPRINT_TTL = 2.0  # seconds between two looks at a fork's files


@dataclass
class ServedTemplate:
    """A template folder with its catalog, questions and a fingerprint of its files."""

    folder: Path
    installed: bool
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _checked: float = field(default=0.0, repr=False)
    _fingerprint: str = field(default="", repr=False)
    _loaded: Loaded | None = field(default=None, repr=False)

    def fingerprint(self) -> str:
        """A hash of every file's name, size and mtime: renders and ETags change with it.

        The installed templates never change while the process runs; a fork is looked at
        again at most every FINGERPRINT_TTL seconds, so an edit shows on the next request.
        """
        with self._lock:
            now = time.monotonic()
            if self._fingerprint and (self.installed or now - self._checked < FINGERPRINT_TTL):
                return self._fingerprint
            digest = hashlib.sha256()
            for path in sorted(self.folder.rglob("*")):
                if path.is_file() and ".git" not in path.relative_to(self.folder).parts:
                    stat = path.stat()
                    relative = path.relative_to(self.folder).as_posix()
                    digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            self._fingerprint, self._checked = digest.hexdigest(), now
            return self._fingerprint

    def _load(self) -> tuple[dict[str, Framework], dict[str, Question], dict[str, Any]]:
        current = self.fingerprint()
        loaded = self._loaded
        if loaded is None or loaded[0] != current:
            config = load_copier_config(self.folder / "copier.yml")
            hidden = {
                name: spec.get("default")
                for name, spec in config.items()
                if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is False
            }
            loaded = (
                current,
                load_catalog(self.folder / CATALOG_FILE),
                load_questions(self.folder / "copier.yml"),
                hidden,
            )
            self._loaded = loaded
        return loaded[1], loaded[2], loaded[3]

    def computed(self) -> dict[str, Any]:
        """The template's hidden values (`when: false`, such as the catalog), by name."""
        return self._load()[2]

    def catalog(self) -> dict[str, Framework]:
        """The frameworks, in catalog order."""
        return self._load()[0]

    def questions(self) -> dict[str, Question]:
        """The questions that end up in the answers file, in copier.yml order."""
        return self._load()[1]

    @property
    def version(self) -> str:
        """The installed release (`0.2.0`), or `fork-` and the fork's fingerprint."""
        if self.installed:
            from webstarter.template_source import installed_version

            return installed_version()
        return f"fork-{self.fingerprint()[:12]}"


def open_template(path: Path | None) -> ServedTemplate:
    """The installed templates, or the fork at `path` once it is known to be safe to serve."""
    if path is None:
        return ServedTemplate(folder=template_root(), installed=True)
    folder = path.expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(f"--template '{path}' is not a folder")
    if not (folder / "copier.yml").is_file() or not (folder / CATALOG_FILE).is_file():
        raise UsageError(
            f"--template '{path}' is not a fork of webstarter's templates: it needs copier.yml "
            f"and {CATALOG_FILE} at its root"
        )
    from webstarter.external import TemplateSource, unsafe_features

    features = unsafe_features(TemplateSource(str(folder), "copier", folder, None, False))
    if features:
        raise WebstarterError(
            f"--template '{path}' would run code on this server, which `serve` never does: "
            + "; ".join(features)
        )
    served = ServedTemplate(folder=folder, installed=folder == template_root().resolve())
    try:
        questions = served.questions()
        served.catalog()
    except (KeyError, TypeError) as error:
        raise UsageError(f"--template '{path}': {CATALOG_FILE} lacks {error}") from None
    if "framework" not in questions:
        raise UsageError(f"--template '{path}' has no `framework` question in copier.yml")
    return served
