"""Error views: JSON under /api, HTML pages elsewhere, and a traceback only in debug mode.

The ``path_info`` predicate picks the JSON view for API paths; Pyramid tries the view with
more predicates first and falls back to the HTML one.
"""

import logging
import traceback

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.request import Request
from pyramid.view import exception_view_config, notfound_view_config

log = logging.getLogger(__name__)

API_PATH = r"^/api(/|$)"
ERROR_PAGE = "templates/error.jinja2"


class ClientError(Exception):
    """A request the client must fix: answered ``{"error": message, "field": field}``.

    API views raise it instead of building error responses themselves (and a raise makes the
    request's transaction, if any, roll back).
    """

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@exception_view_config(ClientError, renderer="json")
def client_error(exc: ClientError, request: Request) -> dict[str, str]:
    """A validation error in an API view: its status and message, and the field at fault."""
    request.response.status_int = exc.status
    body = {"error": exc.message}
    if exc.field:
        body["field"] = exc.field
    return body


@exception_view_config(BadCSRFToken, path_info=API_PATH, renderer="json")
@exception_view_config(BadCSRFOrigin, path_info=API_PATH, renderer="json")
def api_csrf_failure(exc: Exception, request: Request) -> dict[str, str]:
    """An API view that takes cookies but got no valid CSRF token (JSON views are exempt)."""
    request.response.status_int = 403
    return {"error": "CSRF token missing or wrong"}


@exception_view_config(BadCSRFToken, renderer=ERROR_PAGE)
@exception_view_config(BadCSRFOrigin, renderer=ERROR_PAGE)
def csrf_failure(exc: Exception, request: Request) -> dict[str, object]:
    """A form posted without the session's CSRF token, or from another origin: 403."""
    request.response.status_int = 403
    return {
        "title": "Forbidden",
        "message": "The form has expired or did not come from this site. Reload it and try again.",
    }


@notfound_view_config(path_info=API_PATH, renderer="json")
def api_not_found(request: Request) -> dict[str, str]:
    """Unknown API path (or a method the route does not take)."""
    request.response.status_int = 404
    return {"error": "not found"}


@notfound_view_config(renderer=ERROR_PAGE)
def page_not_found(request: Request) -> dict[str, object]:
    """Unknown page or static file."""
    request.response.status_int = 404
    return {"title": "Page not found", "message": "There is nothing at this address."}


@exception_view_config(Exception, path_info=API_PATH, renderer="json")
def api_error(exc: Exception, request: Request) -> dict[str, str]:
    """Unhandled exception in an API view."""
    body = {"error": "internal server error"}
    details = server_error(exc, request)
    if details:
        body["traceback"] = details
    return body


@exception_view_config(Exception, renderer=ERROR_PAGE)
def page_error(exc: Exception, request: Request) -> dict[str, object]:
    """Unhandled exception in a page view."""
    return {
        "title": "Server error",
        "message": "Something went wrong on our side. Please try again later.",
        "traceback": server_error(exc, request),
    }


def server_error(exc: Exception, request: Request) -> str | None:
    """Log the failure and answer 500; return the traceback text in debug mode only."""
    log.error("unhandled exception on %s %s", request.method, request.path, exc_info=exc)
    request.response.status_int = 500
    if request.registry.settings["debug"]:
        return "".join(traceback.format_exception(exc))
    return None
