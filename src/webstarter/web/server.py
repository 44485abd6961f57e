"""`webstarter serve`: the page and API under granian, a production server.

granian (the first server of every starter) runs the Flask app in one worker process with a
pool of threads; renders inside it are bounded by the app itself (webstarter.web.renders).
Everything is checked before the server starts, so a missing extra, a port in use or an
unsafe `--template` is one line and a non-zero exit.
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from webstarter.errors import UsageError, WebstarterError

EXTRA_HINT = "webstarter serve needs its web extra: pip install 'webstarter[web]'"
# request threads (granian advises at most 2 per core + 1); renders wait for the app's slots
THREADS = max(2, min(16, 2 * (os.cpu_count() or 1) + 1))


@dataclass(frozen=True)
class ServeOptions:
    """What `webstarter serve` was asked for."""

    host: str = "127.0.0.1"
    port: int = 8000
    template: Path | None = None
    max_renders: int = 2


def require_web_extra() -> None:
    """One line naming the extra to install when flask or granian is missing."""
    try:
        import flask  # noqa: F401
        import granian  # noqa: F401
    except ImportError:
        raise WebstarterError(EXTRA_HINT) from None


def check_port(host: str, port: int) -> None:
    """Refuse a port that cannot be bound, before granian starts (it would log a traceback)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is already in use") from None
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def prepare(options: ServeOptions) -> str:
    """Check everything, export the workers' settings, and return the template version."""
    require_web_extra()
    from webstarter.web.app import MAX_RENDERS_ENV, TEMPLATE_ENV
    from webstarter.web.source import open_template

    served = open_template(options.template)
    check_port(options.host, options.port)
    os.environ[TEMPLATE_ENV] = str(served.folder) if not served.installed else ""
    os.environ[MAX_RENDERS_ENV] = str(options.max_renders)
    return served.version


def run(options: ServeOptions) -> None:
    """Serve until Ctrl-C or SIGTERM (granian stops gracefully on both)."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "webstarter.web.app:app_from_environment",
        factory=True,
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=THREADS,
        log_access=False,
    ).serve()
