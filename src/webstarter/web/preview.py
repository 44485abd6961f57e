"""The page's Explore panel and `GET /preview`: a render's file list and one file's content.

A file is looked up by name among the rendered files, never opened on disk; a name that
climbs (`..`), starts at the root, or holds a backslash or NUL is refused outright all the
same, so a probe for traversal gets a clear 400 instead of a 404.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from webstarter.errors import AnswerError
from webstarter.web.renders import Rendered

MAX_TEXT = 512 * 1024  # larger files are listed but not shown


def check_path(path: str) -> str:
    """A relative path inside the project, or an AnswerError for field `path`."""
    if not path or "\\" in path or "\0" in path or path.startswith("/"):
        raise AnswerError("path", "give a relative path inside the project")
    parts = PurePosixPath(path).parts
    if any(part in ("..", ".") for part in path.split("/")) or not parts:
        raise AnswerError("path", "'..' and '.' are not allowed in a project path")
    return "/".join(parts)


def file_list(rendered: Rendered) -> dict[str, Any]:
    """Every generated file (sorted by path), with its size and whether it is executable."""
    return {
        "folder": rendered.folder,
        "count": len(rendered.files),
        "bytes": rendered.size,
        "files": [
            {"path": item.path, "size": len(item.data), "executable": bool(item.mode & 0o111)}
            for item in rendered.files
        ],
    }


def file_content(rendered: Rendered, path: str) -> dict[str, Any] | None:
    """One file as text (None when the project has no such file); binary or very large files
    are described instead of shown."""
    item = rendered.file(check_path(path))
    if item is None:
        return None
    shown: dict[str, Any] = {"path": item.path, "size": len(item.data), "text": None}
    if len(item.data) > MAX_TEXT:
        shown["note"] = "too large to show; download the project to read it"
        return shown
    try:
        shown["text"] = item.data.decode("utf-8")
    except UnicodeDecodeError:
        shown["note"] = "binary file"
    return shown
