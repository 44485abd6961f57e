"""Error pages: JSON under /api, HTML elsewhere, and never a traceback unless debugging.

Bottle passes error-handler results straight to the server (no JSON plugin, no after_request
hook), so these handlers set the content type, serialise and add the security headers. For a
500, Bottle writes the traceback to the server's error stream (wsgi.errors); the handler also
logs it through `logging`, so it reaches standard output with the request line.
"""

import json
import logging
from http import HTTPStatus

import bottle

from .hooks import add_security_headers
from .templating import render

logger = logging.getLogger(__name__)

HANDLED_STATUSES = (400, 403, 404, 405, 500)


def wants_json(path: str) -> bool:
    """API clients get JSON errors; browsers get pages."""
    return path == "/api" or path.startswith("/api/")


def install(app: bottle.Bottle) -> None:
    """Register one handler for every status Bottle itself may raise."""

    def handle(error: bottle.HTTPError) -> str:
        add_security_headers()
        status = error.status_code
        reason = HTTPStatus(status).phrase.lower()
        request = bottle.request
        if status >= 500:
            logger.error(
                "%s %s failed: %r",
                request.method,
                request.path,
                error.exception,
                exc_info=error.exception,
            )
        if wants_json(request.path):
            bottle.response.content_type = "application/json"
            return json.dumps({"error": reason})
        debug = app.config["app.debug"]
        return render(
            "error",
            url=app.get_url,
            site_name=app.config["app.name"],
            status=status,
            reason=reason,
            traceback=error.traceback if debug else None,
        )

    for status in HANDLED_STATUSES:
        app.error(status, callback=handle)
