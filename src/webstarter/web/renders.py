"""Rendering starters for HTTP requests: bounded, cached, and always in a removed temporary
folder.

Each render is `generate.render_starter`, the code `webstarter new` runs, into a fresh
temporary folder that is deleted whatever happens; the files are read into memory. At most
`max_renders` renders run at once (a request waits up to `wait` seconds for a turn, then gets
a 503), a project larger than `max_bytes` is refused, and finished renders are kept in a
small LRU cache keyed by the template's fingerprint, the answers and the day (defaults such as
the copyright year depend on it), so the page's live preview and the download that follows
render once. Identical renders in flight at once are done once too.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from webstarter.errors import WebstarterError
from webstarter.generate import relative_files, render_starter
from webstarter.web.answers import folder_name
from webstarter.web.source import ServedTemplate

SCRATCH_PREFIX = "webstarter-serve-"


class Busy(WebstarterError):
    """Every render slot stayed taken for the whole wait: the server answers 503."""


class TooLarge(WebstarterError):
    """The rendered project is over the size limit: the server answers 413."""


@dataclass(frozen=True)
class RenderedFile:
    """One generated file: its path below the project folder, bytes and permission bits."""

    path: str
    data: bytes
    mode: int


@dataclass(frozen=True, eq=False)  # hashed by identity: archives are cached per render
class Rendered:
    """A finished render: the project folder's name, its files, and the recorded answers."""

    key: str
    folder: str
    files: tuple[RenderedFile, ...]
    answers: dict[str, Any]
    created: float

    @property
    def size(self) -> int:
        return sum(len(item.data) for item in self.files)

    def file(self, path: str) -> RenderedFile | None:
        return next((item for item in self.files if item.path == path), None)


class Renderer:
    """Renders for one served template, with the bounds and the cache described above."""

    def __init__(
        self,
        template: ServedTemplate,
        *,
        max_renders: int = 2,
        wait: float = 30.0,
        max_bytes: int = 16 * 1024 * 1024,
        cache_bytes: int = 64 * 1024 * 1024,
        scratch: Path | None = None,
    ) -> None:
        self.template = template
        self.wait = wait
        self.max_bytes = max_bytes
        self.cache_bytes = cache_bytes
        self.scratch = scratch
        self._slots = threading.BoundedSemaphore(max_renders)
        self._cache: OrderedDict[str, Rendered] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Lock] = {}

    def key(self, answers: dict[str, str]) -> str:
        """What a render depends on: the template's files, the answers and today's date."""
        text = json.dumps(
            [self.template.fingerprint(), sorted(answers.items()), date.today().isoformat()]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def render(self, answers: dict[str, str]) -> Rendered:
        """The project for these (checked) answers, from the cache or a fresh render."""
        key = self.key(answers)
        if (hit := self._cached(key)) is not None:
            return hit
        with self._lock:
            same = self._in_flight.setdefault(key, threading.Lock())
        with same:  # a second request for the same answers waits for the first render
            if (hit := self._cached(key)) is not None:
                return hit
            try:
                rendered = self._render_bounded(key, answers)
            finally:
                with self._lock:
                    self._in_flight.pop(key, None)
        self._store(rendered)
        return rendered

    def _render_bounded(self, key: str, answers: dict[str, str]) -> Rendered:
        if not self._slots.acquire(timeout=self.wait):
            raise Busy(f"every render slot stayed busy for {self.wait:.0f} s; try again")
        try:
            scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=self.scratch))
            try:
                return self._render_into(scratch, key, answers)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        finally:
            self._slots.release()

    def _render_into(self, scratch: Path, key: str, answers: dict[str, str]) -> Rendered:
        folder = folder_name(answers)
        target = scratch / folder
        recorded = render_starter(
            self.template.folder,
            answers,
            target,
            defaults=True,
            user_defaults={},  # never the server's own git identity
            unsafe=self.template.installed,
        )
        files = []
        total = 0
        for relative in relative_files(target):
            path = target / relative
            if path.is_symlink():
                continue  # copier renders none; never follow one out of the folder
            total += path.stat().st_size
            if total > self.max_bytes:
                raise TooLarge(
                    f"the project would exceed {self.max_bytes // (1024 * 1024)} MiB; "
                    "shorten the answers"
                )
            files.append(RenderedFile(relative, path.read_bytes(), path.stat().st_mode & 0o777))
        return Rendered(key, folder, tuple(files), recorded, time.time())

    def _cached(self, key: str) -> Rendered | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _store(self, rendered: Rendered) -> None:
        with self._lock:
            if rendered.key in self._cache or rendered.size > self.cache_bytes:
                return
            self._cache[rendered.key] = rendered
            self._cached_bytes += rendered.size
            while self._cached_bytes > self.cache_bytes:
                _, oldest = self._cache.popitem(last=False)
                self._cached_bytes -= oldest.size
