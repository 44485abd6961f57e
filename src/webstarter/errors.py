"""Every error webstarter raises on purpose, in one hierarchy (as copier keeps its own).

The CLI prints a WebstarterError as one `error:` line and exits with its `exit_code`, never a
traceback. None of them is an AssertionError: `python -O` strips asserts, not these.

    WebstarterError            exit 1
    ├── UsageError             exit 2: the command line or an answer is wrong
    │   ├── AnswerError        one answer is refused (it names the question)
    │   └── TemplateError      the template cannot be read, evaluated or rendered
    ├── GitError               a git command failed
    │   └── HistoryError       the template history cannot be built from this source tree
    ├── NoFreePort             loopback has no port to give
    ├── NoLoadGenerator        neither wrk nor oha is on PATH (`webstarter bench`)
    ├── BenchFailed            a benchmarked server could not be set up, booted or loaded
    ├── PostgresError          a PostgreSQL server refused a request, or cannot be had
    ├── StepSkipped            a smoke step cannot run on this machine (not a failure)
    └── StepFailed             a smoke step's command failed or timed out
        └── ProbeFailed        a server's answer broke the starter contract
"""


class WebstarterError(Exception):
    """A failure the user can act on; the CLI prints the message and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(WebstarterError):
    """The command line or an answer is wrong: exit code 2, like typer's own usage errors."""

    exit_code = 2


class AnswerError(UsageError):
    """One answer is refused: an unknown question, a value outside the choices or of the wrong
    type, or the template's own validator said no. `field` names the question and `reason`
    says why without the command-line wording, for `webstarter serve`'s 400 answers."""

    def __init__(self, field: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or reason)
        self.field = field
        self.reason = reason


class TemplateError(UsageError):
    """The template itself cannot be read, evaluated or rendered (its copier.yml, its Jinja, an
    extension it needs): one line naming what is wrong, exit code 2 like other bad input."""


class GitError(WebstarterError):
    """A git command failed; the message names it and quotes git's last line."""


class HistoryError(GitError):
    """The template history cannot be built from this source tree."""


class NoFreePort(WebstarterError):
    """The loopback interface has no port to give."""


class NoLoadGenerator(WebstarterError):
    """`webstarter bench` needs a real load generator (wrk or oha) and found none on PATH."""


class BenchFailed(WebstarterError):
    """A starter or bare app under `webstarter bench` could not be installed, booted or
    loaded; the message names which and points at its log."""


class PostgresError(WebstarterError):
    """A PostgreSQL server refused a request, could not be reached, or could not be started."""


class StepSkipped(WebstarterError):
    """A smoke step that cannot run on this machine (no Docker daemon, no PostgreSQL server);
    the message says why. The step is reported as skipped, loudly, not as passed."""


class StepFailed(WebstarterError):
    """A smoke step's command failed or timed out; the message says which and how."""


class ProbeFailed(StepFailed):
    """A response broke the starter contract; the message names the request."""
