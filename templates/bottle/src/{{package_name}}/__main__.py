"""The development server: `python -m <package> --reload --port 8000`.

Bottle's built-in server is single-threaded and for development only; production uses the
WSGI servers listed in the README.
"""

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

import bottle

from .app import create_app
from .environment import ConfigurationError
from .logs import configure_logging


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line.

    Bottle 0.13's reloader restarts `python -m <package>` with the script path still first in
    the arguments: its child drops that stray argument.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get("BOTTLE_CHILD") and args[:1] == sys.argv[:1]:
        args = args[1:]
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    parser.add_argument("--reload", action="store_true", help="restart when Python code changes")
    return parser.parse_args(args)


def stop_on_signals() -> None:
    """Make SIGTERM act like Ctrl-C, and Ctrl-C work even when started in the background.

    Bottle's reloader stops its server child through a simulated Ctrl-C, and the child stops
    when the parent's lock file goes away, which only happens if the parent stops on
    KeyboardInterrupt: with these handlers, SIGTERM to the parent stops both processes.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> None:
    """Start Bottle's development server."""
    args = parse_args(argv)
    try:
        configure_logging()
        app = create_app()
    except (ConfigurationError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    stop_on_signals()
    # debug=True also makes Bottle re-read templates on every request: fine for one dev process.
    bottle.run(
        app, host=args.host, port=args.port, reloader=args.reload, debug=app.config["app.debug"]
    )


if __name__ == "__main__":  # pragma: no cover - `python -m` runs it
    main()
