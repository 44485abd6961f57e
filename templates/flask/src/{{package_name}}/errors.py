"""Error responses: JSON under /api, HTML pages elsewhere, never a traceback in production.

Flask turns an unhandled exception into an InternalServerError (after logging its traceback to
stdout) and passes it to the same handler; with DEBUG or TESTING on it re-raises it instead, for
the debugger or the test to show.
"""

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .api import API_PREFIX


def wants_json() -> bool:
    """API clients get JSON errors; the prefix also covers /api paths that match no route."""
    return request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/")


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Render any HTTP error (404, 405, 500...) in the client's format, keeping its headers."""
    code = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return {"error": error.name.lower()}, code, headers
    page = render_template([f"errors/{code}.html", "errors/error.html"], error=error)
    return page, code, headers


def register_error_handlers(app: Flask) -> None:
    """Handle every HTTPException; that includes unhandled exceptions, seen as a 500."""
    app.register_error_handler(HTTPException, handle_http_error)
