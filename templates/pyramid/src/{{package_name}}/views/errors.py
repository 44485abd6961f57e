"""Error views: JSON under /api, HTML pages elsewhere, and a traceback only in debug mode.

The ``path_info`` predicate picks the JSON view for API paths; Pyramid tries the view with
more predicates first and falls back to the HTML one.
"""

import logging
import traceback

from pyramid.request import Request
from pyramid.view import exception_view_config, notfound_view_config

log = logging.getLogger(__name__)

API_PATH = r"^/api(/|$)"
ERROR_PAGE = "templates/error.jinja2"


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
