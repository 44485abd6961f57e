"""Error responses: JSON under /api, HTML pages elsewhere, never a traceback in production.

Flask turns an unhandled exception into an InternalServerError (after logging its traceback to
stdout) and passes it to the same handler; with DEBUG or TESTING on it re-raises it instead, for
the debugger or the test to show. Werkzeug's own error pages are never sent: this module renders
every HTTP error, so no response names the framework, its version or a file path.
"""

from flask import Flask, current_app, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException, SecurityError

from . import health
from .api import API_PREFIX

HEALTH_CHECK = "/healthz"


def wants_json() -> bool:
    """API clients get JSON errors; the prefix also covers /api paths that match no route."""
    return request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/")


def message(error: HTTPException) -> str:
    """What went wrong: the app's own description if it gave one, else the status name."""
    if error.description and error.description != type(error).description:
        return error.description
    return error.name.lower()


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Render any HTTP error (404, 405, 500...) in the client's format, keeping its headers
    (a 405 keeps its Allow header, a 416 its Content-Range)."""
    code = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return {"error": message(error)}, code, headers
    page = render_template([f"errors/{code}.html", "errors/error.html"], error=error)
    return page, code, headers


def foreign_host(error: SecurityError) -> ResponseReturnValue:
    """The Host header is not in ALLOWED_HOSTS (hosts.py), or not a host name at all (Werkzeug):
    a 400, so no URL is ever built from it. The health check still answers: load balancers
    probe it by address."""
    if request.path == HEALTH_CHECK and request.method in ("GET", "HEAD"):
        return health.healthz()
    # Route URLs for a neutral host, never the refused one; the error page's links are relative.
    request_ctx.url_adapter = current_app.url_map.bind("localhost", request.script_root or "/")
    return handle_http_error(BadRequest("host not allowed"))


def unreadable_body(error: ClientDisconnected) -> ResponseReturnValue:
    """The server could not deliver the body: malformed chunked encoding, or cut short."""
    return handle_http_error(
        BadRequest("the request body could not be read: malformed or cut short")
    )


def register_error_handlers(app: Flask) -> None:
    """Handle every HTTPException; that includes unhandled exceptions, seen as a 500."""
    app.register_error_handler(SecurityError, foreign_host)
    app.register_error_handler(ClientDisconnected, unreadable_body)
    app.register_error_handler(HTTPException, handle_http_error)
