"""Error pages: JSON under /api, HTML elsewhere, and never a traceback unless debugging.

Every 4xx and 5xx status goes through one handler, including the ones Bottle raises itself
(413, 416...): Bottle's own error page would show the request URL, carry no security headers
and, with bottle.debug(), the traceback. A 4xx answer names the problem with the message it
was raised with (`bottle.abort(415, "request body must be application/json")`); 404 and 405
keep their plain reason, because Bottle's messages for them repeat the requested path.

Bottle passes error-handler results straight to the server (no JSON plugin), so these handlers
set the content type and serialise; the security headers come from the middleware around the
app (security.py), as for every other answer. For a
500, Bottle writes the traceback to the server's error stream (wsgi.errors); the handler also
logs it through `logging`, so it reaches standard output with the request line.
"""

import json
import logging

import bottle

from .templating import render

logger = logging.getLogger(__name__)

HANDLED_STATUSES = range(400, 600)
# Bottle's messages for these name the path or the method, not the problem.
PLAIN_STATUSES = frozenset({404, 405})


def wants_json(path: str) -> bool:
    """API clients get JSON errors; browsers get pages."""
    return path == "/api" or path.startswith("/api/")


def reason_of(error: bottle.HTTPError) -> str:
    """`not found` for `404 Not Found`."""
    return error.status_line.partition(" ")[2].lower() or "error"


def message_of(error: bottle.HTTPError) -> str:
    """What the client is told: the message a 4xx was raised with, else the reason."""
    status = error.status_code
    if status >= 500 or status in PLAIN_STATUSES or not isinstance(error.body, str):
        return reason_of(error)
    return error.body.strip() or reason_of(error)


def install(app: bottle.Bottle) -> None:
    """Register one handler for every error status."""

    def handle(error: bottle.HTTPError) -> str:
        status = error.status_code
        reason = reason_of(error)
        message = message_of(error)
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
            return json.dumps({"error": message})
        debug = app.config["app.debug"]
        return render(
            "error",
            url=app.get_url,
            site_name=app.config["app.name"],
            status=status,
            reason=reason,
            message=message if message != reason else "",
            traceback=error.traceback if debug else None,
        )

    for status in HANDLED_STATUSES:
        app.error(status, callback=handle)
