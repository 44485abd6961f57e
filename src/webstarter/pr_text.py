"""The pull request text of a template update: what the template-update workflow posts.

The file reads like a commit message: the title on the first line, a blank line, then the
Markdown body (versions, the CHANGELOG entries in between, changed files, conflicts), so that
a workflow takes the title with `head -n 1` and the body with `tail -n +3`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from webstarter.errors import UsageError

if TYPE_CHECKING:
    from webstarter.changelog import Release
    from webstarter.update import UpdateResult

CONFLICT_PREFIX = "[conflicts] "
MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters
MAX_FILES = 300


def title(result: UpdateResult) -> str:
    prefix = CONFLICT_PREFIX if result.conflicts else ""
    return f"{prefix}Update the project template from v{result.old} to v{result.new}"


def body(
    result: UpdateResult, changes: list[Release] | None, source: str, branch: str | None
) -> str:
    """The Markdown body; `changes` is None when the template keeps no CHANGELOG we read."""
    from webstarter.changelog import as_markdown

    lines = [
        f"Brings this project from template **v{result.old}** to **v{result.new}** "
        f"(`{source}`), made by `webstarter update`"
        + (f" on branch `{branch}`." if branch else "."),
        "",
    ]
    if result.conflicts:
        lines += [
            f"> [!WARNING]\n> **{len(result.conflicts)} file(s) with conflicts.** Your edits and "
            "the template's changed the same lines; the files hold both sides between "
            "`<<<<<<<` and `>>>>>>>` markers. Check out this branch, keep what you want, "
            "remove the markers, commit and push before merging.",
            "",
            "## Conflicts",
            "",
            *(f"- `{name}`" for name in result.conflicts),
            "",
        ]
    lines += ["## What the template changes", ""]
    if changes is None:
        lines += ["The template's source keeps no CHANGELOG webstarter can read.", ""]
    elif changes:
        lines.append(as_markdown(changes, heading="###"))
    else:
        lines += ["The CHANGELOG lists no entries for these versions.", ""]
    shown = result.changed[:MAX_FILES]
    lines += [f"## Changed files ({len(result.changed)})", ""]
    lines += [f"- `{name}`" for name in shown]
    if len(result.changed) > len(shown):
        lines.append(f"- ... and {len(result.changed) - len(shown)} more")
    lines += [
        "",
        "Review the diff and let CI run before merging. Closing this pull request without "
        "merging is fine: the next run opens a fresh one.",
    ]
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_BODY:
        cut = text[:MAX_BODY].rsplit("\n", 1)[0]
        text = cut + "\n\n(cut to GitHub's size limit; see CHANGELOG.md for the rest)\n"
    return text


def write(path: Path, result: UpdateResult, branch: str | None) -> None:
    """Write the title and body of `result`'s pull request to PATH, whole or not at all."""
    from webstarter.changelog import changes_between
    from webstarter.update import read_project

    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise UsageError(f"--pr-text: the folder {path.parent} does not exist")
    project = read_project(result.project)
    changes = changes_between(result.old, result.new) if project.is_webstarter else None
    text = f"{title(result)}\n\n{body(result, changes, project.source, branch)}"
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
