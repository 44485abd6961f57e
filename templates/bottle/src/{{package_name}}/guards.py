"""Checks on the shape of a request, so that malformed input is a 4xx naming the problem
instead of a 500, or of a guess.

- The URL: Bottle drops the bytes of a path that are not UTF-8 (`/notes/1%ff` would reach
  `/notes/1`) and `getunicode()` turns a query that is not UTF-8 into the default value; both
  are answered 400 here instead.
- The body: at most MAX_BODY_BYTES (413), a valid Content-Length, and chunked bodies read once
  (gunicorn hands Bottle a body it has already de-chunked, which Bottle would de-chunk again).
- The media type: `RequireJson` makes API routes that change data take `application/json`
  only (415 otherwise). Browsers send text/plain, form-encoded and multipart bodies to any site
  without asking it first (no CORS preflight), so a JSON-only API cannot be written to from
  another site's page. `require_form` does the same for HTML forms.
"""

import functools
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

import bottle

from .errors import wants_json
from .hosts import host_check

# The largest request body the app reads (Bottle keeps up to this much in memory).
MAX_BODY_BYTES = 100 * 1024
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
UTF8_NAMES = frozenset({"utf-8", "utf8"})


def is_utf8(latin1_text: str, *, percent_encoded: bool = False) -> bool:
    """Whether a WSGI string (bytes decoded as latin-1) holds UTF-8."""
    try:
        raw = latin1_text.encode("latin-1")
        if percent_encoded:
            raw = unquote_to_bytes(raw.replace(b"+", b" "))
        raw.decode("utf-8")
    except UnicodeError:
        return False
    return True


def check_url(environ: dict[str, Any]) -> None:
    """400 for a path or query string whose percent-escapes are not UTF-8.

    Plain ASCII (the usual URL) is valid UTF-8 as it stands: only a path with other bytes, or
    a query with percent-escapes or other bytes, is decoded to be sure.
    """
    path = environ.get("bottle.raw_path", environ.get("PATH_INFO", ""))
    if not path.isascii() and not is_utf8(path):
        bottle.abort(400, "the URL path is not valid UTF-8")
    query = environ.get("QUERY_STRING", "")
    if ("%" in query or not query.isascii()) and not is_utf8(query, percent_encoded=True):
        bottle.abort(400, "the query string is not valid UTF-8")


def read_at_most(stream: Any, limit: int) -> bytes | None:
    """The whole stream, or None when it holds more than `limit` bytes."""
    body = io.BytesIO()
    while chunk := stream.read(limit + 1 - body.tell()):
        body.write(chunk)
        if body.tell() > limit:
            return None
    return body.getvalue()


def check_body(environ: dict[str, Any]) -> None:
    """413 for a body larger than MAX_BODY_BYTES, 400 for a malformed length or chunked body.

    A server that de-chunks bodies itself says so with `wsgi.input_terminated`; waitress also
    drops the Transfer-Encoding header, gunicorn keeps it, and Bottle would then parse the
    plain body as chunks. Here such a body is read once, with the size limit, and handed to
    Bottle as an ordinary one.
    """
    if "CONTENT_LENGTH" not in environ and "HTTP_TRANSFER_ENCODING" not in environ:
        return  # no body: a GET, HEAD or OPTIONS as browsers send them
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        bottle.abort(400, "the Content-Length header is not a number")
    if length > MAX_BODY_BYTES:
        bottle.abort(413, f"the request body must be at most {MAX_BODY_BYTES} bytes")
    if not bottle.request.chunked or not environ.get("wsgi.input_terminated"):
        return  # Bottle de-chunks the body itself, and answers 400 when that fails
    try:
        body = read_at_most(environ["wsgi.input"], MAX_BODY_BYTES)
    except Exception as exc:  # the server's parse errors, such as gunicorn's InvalidChunkSize
        raise bottle.HTTPError(400, "the chunked request body is malformed") from exc
    if body is None:
        bottle.abort(413, f"the request body must be at most {MAX_BODY_BYTES} bytes")
    del environ["HTTP_TRANSFER_ENCODING"]
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)


def media_type() -> tuple[str, dict[str, str]]:
    """The request's Content-Type, lower-cased, and its parameters: ("", {}) when absent."""
    media, *parameters = bottle.request.environ.get("CONTENT_TYPE", "").split(";")
    options = {}
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        options[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), options


def has_body() -> bool:
    request = bottle.request
    return request.chunked or request.content_length > 0


def require_json() -> None:
    """415 unless the body is UTF-8 `application/json`; a DELETE without a body needs none."""
    media, options = media_type()
    if not media and not has_body() and bottle.request.method == "DELETE":
        return
    if media != "application/json":
        bottle.abort(415, "request body must be application/json")
    if options.get("charset", "utf-8").lower() not in UTF8_NAMES:
        bottle.abort(415, "request body must be JSON encoded as UTF-8 (charset=utf-8)")


def require_form() -> bottle.FormsDict:
    """The posted HTML form: 415 unless it is a UTF-8 form, 400 when it cannot be parsed.

    Checked before Bottle parses the body: an unknown charset or a part that is not UTF-8
    would otherwise raise from the parser as a 500.
    """
    media, options = media_type()
    if media not in FORM_TYPES:
        bottle.abort(415, "the form must be sent as " + " or ".join(sorted(FORM_TYPES)))
    if options.get("charset", "utf-8").lower() not in UTF8_NAMES:
        bottle.abort(415, "the form must be encoded as UTF-8 (charset=utf-8)")
    if media == "multipart/form-data" and not options.get("boundary"):
        bottle.abort(400, "the multipart form has no boundary")
    try:
        return bottle.request.forms
    except (UnicodeError, LookupError):
        bottle.abort(400, "the form is not valid UTF-8 text")


class RequireJson:
    """A Bottle plugin: API routes for POST, PUT, PATCH and DELETE take JSON bodies only.

    It runs after routing, so a wrong method is still a 405 and an unknown URL a 404.
    """

    name = "require_json"
    api = 2

    def apply(self, callback: Callable[..., Any], route: bottle.Route) -> Callable[..., Any]:
        if route.method not in CHANGING_METHODS or not wants_json(route.rule):
            return callback

        @functools.wraps(callback)
        def json_only(*args: Any, **kwargs: Any) -> Any:
            require_json()
            return callback(*args, **kwargs)

        return json_only


def install(app: bottle.Bottle) -> None:
    """Make every check before routing, and add the plugin (before any session plugin, so
    that a refused request never opens a database session).

    The checks run in this order: the Host (hosts.py), the URL, the body. They run first
    thing in Bottle's router, not in a before_request hook: the router gets the environ
    (a hook would fetch it from the thread-local request) and there is no hook to dispatch,
    which every request would pay for. Bottle calls the router inside the same `try` as the
    hooks, so a check's HTTPError is answered exactly as a hook's would be (error handler,
    after_request hooks), and still for every URL, unknown ones included.
    """
    check_host = host_check(app.config["app.allowed_hosts"])
    match = app.router.match

    def check_then_match(environ: dict[str, Any]) -> Any:
        check_host(environ)
        # The usual request, a plain ASCII URL and no body, skips the two other calls.
        # bottle.raw_path: the path as the server sent it, kept by Bottle before routing.
        path = environ.get("bottle.raw_path") or environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if not path.isascii() or "%" in query or not query.isascii():
            check_url(environ)
        if "CONTENT_LENGTH" in environ or "HTTP_TRANSFER_ENCODING" in environ:
            check_body(environ)
        return match(environ)

    app.router.match = check_then_match  # type: ignore[method-assign]
    app.install(RequireJson())
