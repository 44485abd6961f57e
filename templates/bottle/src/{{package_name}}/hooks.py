"""Request hooks shared by the routes and the error handlers."""

import bottle

from .security import SECURITY_HEADERS


def add_security_headers() -> None:
    """Harden the current response.

    Runs as the app's after_request hook, and again from the error handlers: when a route
    raises, Bottle replaces the response headers after the hook has run.
    """
    for name, value in SECURITY_HEADERS.items():
        bottle.response.set_header(name, value)


def close_request_body() -> None:
    """Close the copy of the request body Bottle keeps (a temporary file when it is large).

    Runs as an after_request hook, which Bottle runs whether the route returned or raised;
    without it the file stays open until the garbage collector finds it.
    """
    body = bottle.request.environ.get("bottle.request.body")
    if body is not None:
        body.close()
