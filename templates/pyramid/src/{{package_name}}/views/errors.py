"""Error views: JSON under /api, HTML pages elsewhere, and a traceback only in debug mode.

The ``under_api`` predicate (from ``guards.py``) picks the JSON view for API paths; Pyramid
tries the view with more predicates first and falls back to the HTML one.
"""

import logging
import traceback

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken, PredicateMismatch
from pyramid.httpexceptions import status_map
from pyramid.request import Request
from pyramid.view import exception_view_config, notfound_view_config

log = logging.getLogger(__name__)

ERROR_PAGE = "templates/error.jinja2"


class ClientError(Exception):
    """A request the client must fix: answered ``{"error": message, "field": field}`` under
    /api, and with the error page elsewhere.

    Views and the request guards raise it instead of building error responses themselves (and
    a raise makes the request's transaction, if any, roll back).
    """

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@exception_view_config(ClientError, under_api=True, renderer="json")
def api_client_error(exc: ClientError, request: Request) -> dict[str, str]:
    """A request refused under /api: its status and message, and the field at fault."""
    request.response.status_int = exc.status
    body = {"error": exc.message}
    if exc.field:
        body["field"] = exc.field
    return body


@exception_view_config(ClientError, renderer=ERROR_PAGE)
def client_error(exc: ClientError, request: Request) -> dict[str, object]:
    """A request refused elsewhere (a foreign Host, a URL that is not UTF-8...)."""
    request.response.status_int = exc.status
    return {"title": status_map[exc.status].title, "message": exc.message}


def allowed_methods(request: Request) -> list[str]:
    """The methods that the views of the matched route take (HEAD comes with GET); none when
    no route matched or when one of its views takes any method."""
    route = request.matched_route
    if route is None:
        return []
    methods: set[str] = set()
    for entry in request.registry.introspector.get_category("views", []):
        view = entry["introspectable"]
        if view["route_name"] == route.name:
            taken = view["request_methods"]  # as given to add_view: None, a name or names
            if not taken:
                return []
            methods.update([taken] if isinstance(taken, str) else taken)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def method_not_allowed(request: Request) -> bool:
    """Answer 405 with an Allow header when the route exists but not for this method."""
    allow = allowed_methods(request)
    if not allow or request.method in allow:
        return False  # another predicate failed: that is a plain 404
    request.response.status_int = 405
    request.response.headers["Allow"] = ", ".join(allow)
    return True


@exception_view_config(PredicateMismatch, under_api=True, renderer="json")
def api_predicate_mismatch(exc: PredicateMismatch, request: Request) -> dict[str, str]:
    """A method that the API route does not take: 405 and Allow, not 404."""
    if method_not_allowed(request):
        return {"error": "method not allowed"}
    return api_not_found(request)


@exception_view_config(PredicateMismatch, renderer=ERROR_PAGE)
def predicate_mismatch(exc: PredicateMismatch, request: Request) -> dict[str, object]:
    """A method that the page does not take: 405 and Allow, not 404."""
    if method_not_allowed(request):
        return {
            "title": "Method not allowed",
            "message": "This address does not take that kind of request.",
        }
    return page_not_found(request)


@exception_view_config(BadCSRFToken, under_api=True, renderer="json")
@exception_view_config(BadCSRFOrigin, under_api=True, renderer="json")
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


@notfound_view_config(under_api=True, renderer="json")
def api_not_found(request: Request) -> dict[str, str]:
    """Unknown API path, or a note that does not exist."""
    request.response.status_int = 404
    return {"error": "not found"}


@notfound_view_config(renderer=ERROR_PAGE)
def page_not_found(request: Request) -> dict[str, object]:
    """Unknown page or static file."""
    request.response.status_int = 404
    return {"title": "Page not found", "message": "There is nothing at this address."}


@exception_view_config(Exception, under_api=True, renderer="json")
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
