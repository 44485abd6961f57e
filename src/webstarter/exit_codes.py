"""The documented exit codes of `check` and `update`, which CI scripts branch on.

An answer ("behind", "conflicts") and a failure never share a code: every error of these two
commands exits with ERROR, as typer's own usage errors do (docs/updating.md has the table).
"""

from enum import IntEnum

ERROR = 2  # bad input, not a git repository, no answers file, unreachable template, git failed


class Check(IntEnum):
    CURRENT = 0
    BEHIND = 1
    AHEAD = 3


class Update(IntEnum):
    UPDATED = 0  # also a plain `update` (no --branch) of a project already current
    CONFLICTS = 1
    CURRENT = 3  # with --branch: nothing to do, no branch made
