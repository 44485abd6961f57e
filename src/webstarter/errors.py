"""The errors webstarter reports to users as one line and an exit code, never a traceback."""


class WebstarterError(Exception):
    """A failure the user can act on; the CLI prints the message and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(WebstarterError):
    """The command line or an answer is wrong: exit code 2, like typer's own usage errors."""

    exit_code = 2


class TemplateError(UsageError):
    """The template itself cannot be read, evaluated or rendered (its copier.yml, its Jinja, an
    extension it needs): one line naming what is wrong, exit code 2 like other bad input."""
