"""Bytecode of installed packages, kept across cells and runs.

uv links a package's files from its cache into every new venv, so each cell's venv holds the
same files (the same inodes) as the last one's, and each cell's first processes compile them
again: about 3.5 CPU seconds a cell, a fifth of its host work. Python keeps bytecode beside
the path it imported, not the file, so this module keeps it by file: after a cell, each `.pyc`
compiled from a linked file is saved under that file's identity (device, inode, size, mtime);
after the next install, saved bytecode is linked back beside every file it was compiled from.
Python still checks every `.pyc` against its source's size and mtime before it uses it, and
gives the code the new path's file name, so a stale entry is compiled again, never run.

Files copied into the venv (`--pip`, or a uv cache on another file system) have one link
each and a new inode per venv: they are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from importlib.util import cache_from_source
from pathlib import Path

from webstarter.resources import cache_dir


def cache_folder() -> Path:
    """Where saved bytecode lives: webstarter's cache, per Python version."""
    return cache_dir() / "bytecode" / str(sys.implementation.cache_tag)


def _linked_sources(venv: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every `.py` file of the venv's packages that is also linked from elsewhere (uv's cache)."""
    for site in venv.glob("lib/python*/site-packages"):
        for folder, dirs, files in os.walk(site):
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            for name in files:
                if name.endswith(".py"):
                    path = Path(folder, name)
                    with contextlib.suppress(OSError):
                        found = path.stat()
                        if found.st_nlink > 1:
                            yield path, found


def _key(found: os.stat_result) -> str:
    return f"{found.st_dev:x}-{found.st_ino:x}-{found.st_size:x}-{found.st_mtime_ns:x}"


def _compiled(source: Path) -> Path:
    """Where a cell's processes (run without -O) keep the bytecode of `source`, whatever
    optimization level webstarter itself runs at."""
    return Path(cache_from_source(str(source), optimization=""))


def _place(source: Path, target: Path) -> bool:
    """Link (or, across file systems, copy) `source` to a new `target`; False if it exists."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    return True


def restore(venv: Path, cache: Path | None = None) -> int:
    """Link saved bytecode beside the files of a new venv; how many `.pyc` files were placed."""
    cache = cache or cache_folder()
    if not cache.is_dir():
        return 0
    placed = 0
    for source, found in _linked_sources(venv):
        saved = cache / _key(found)
        if saved.is_file():
            with contextlib.suppress(OSError):
                placed += _place(saved, _compiled(source))
    return placed


def save(venv: Path, cache: Path | None = None) -> int:
    """Keep the bytecode a cell's processes compiled for linked files; how many were new."""
    cache = cache or cache_folder()
    saved = 0
    for source, found in _linked_sources(venv):
        compiled = _compiled(source)
        if compiled.is_file():
            with contextlib.suppress(OSError):
                saved += _place(compiled, cache / _key(found))
    return saved
