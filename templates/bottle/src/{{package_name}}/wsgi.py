"""The WSGI entry point for production servers (gunicorn, waitress).

A configuration error ends the process with one line instead of a traceback. The exit status
is 3, which gunicorn reads as "worker failed to boot": it stops instead of restarting the
worker forever (it would with any other status).
"""

import sys

from .app import create_app
from .environment import ConfigurationError
from .logs import configure_logging

try:
    configure_logging()
    application = create_app()
except (ConfigurationError, ValueError) as exc:
    print(f"error: {exc}", file=sys.stderr)
    raise SystemExit(3) from None
