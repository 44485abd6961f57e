"""Checks every request passes before it is routed: its Host, its URL and its body's type.

``config.include(".guards")`` adds a tween just under Pyramid's exception-view tween, so a
refused request is answered by the error views of ``views/errors.py`` (JSON under /api, HTML
elsewhere, with the security headers), and registers the ``under_api`` view predicate they use.

- Host: only the names in ALLOWED_HOSTS (the port is ignored), so that no URL or redirect is
  ever built from a Host header an attacker chose. ``/healthz`` answers whatever the Host, for
  load balancers and container health checks that probe by IP address.
- URL: the path and the query string must decode as UTF-8 (``%ff`` is a 400, not a 500).
- Body: one that cannot be read (a malformed chunked body) is a 400, a charset other than
  UTF-8 a 415, a form that does not parse (a multipart body without a valid boundary) a 400,
  and under /api a POST (or any write that has a body) must be ``application/json``: a
  browser sends a cross-site ``application/json`` request only after a CORS preflight, which
  this app never grants, so no other site can make a visitor's browser write through the API.

The body is read before anything else, by a wrapper around the execution policy (pyramid_retry
reads it there to be able to run a request again): a read error is noted for the tween to
answer, and the copy, which may be a temporary file, is closed when the request is done.
"""

import codecs
import functools
import io
import re
from collections.abc import Callable
from email.message import Message
from typing import Any
from urllib.parse import unquote_to_bytes

from pyramid.config import Configurator
from pyramid.interfaces import PHASE3_CONFIG, IExecutionPolicy
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router, default_execution_policy
from pyramid.tweens import EXCVIEW

from .environment import DEFAULT_ALLOWED_HOSTS, env_list
from .views.errors import ClientError

HEALTH_CHECK_PATH = "/healthz"
JSON = "application/json"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A host name or IPv4 address, or an IPv6 address in brackets, then an optional port.
HOST_HEADER = re.compile(r"(?P<host>[a-z0-9.-]+|\[[a-f0-9:.]+\])(?::[0-9]{1,5})?")
# The boundaries that the form parser (the standard library's cgi) accepts; it raises on others.
MULTIPART_BOUNDARY = re.compile(r"[ -~]{0,200}[!-~]")

UNREADABLE_BODY = f"{__name__}.unreadable_body"

Handler = Callable[[Request], Response]
ExecutionPolicy = Callable[[dict[str, Any], Router], Response]


def is_api_path(request: Request) -> bool:
    """Whether the path is /api or below it, read undecoded (it may not be valid UTF-8)."""
    path = request.environ.get("PATH_INFO", "")
    return path == "/api" or path.startswith("/api/")


class UnderApiPredicate:
    """View predicate ``under_api=True``: the request's path is /api or below it.

    Unlike ``path_info=``, it never decodes the path, so the error views still find their
    JSON or HTML variant for a URL that is not valid UTF-8.
    """

    def __init__(self, value: bool, config: Configurator) -> None:
        self.value = bool(value)

    def text(self) -> str:
        return f"under_api = {self.value}"

    phash = text

    def __call__(self, context: Any, request: Request) -> bool:
        return is_api_path(request) == self.value


def host_is_allowed(host_header: str, allowed_hosts: list[str]) -> bool:
    """Django's rules: an exact name, ``.example.com`` for it and its subdomains, or ``*``."""
    match = HOST_HEADER.fullmatch(host_header.lower())
    if match is None:
        return False
    host = match["host"].removesuffix(".")
    return any(
        pattern == "*"
        or host == pattern
        or (pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:]))
        for pattern in allowed_hosts
    )


def url_is_utf8(environ: dict[str, Any]) -> bool:
    """PATH_INFO arrives percent-decoded as latin-1 text, QUERY_STRING still encoded."""
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if path.isascii() and query.isascii() and "%" not in query:
        return True  # the usual URL: nothing to decode
    try:
        path.encode("latin-1").decode("utf-8")
        unquote_to_bytes(query).decode("utf-8")
    except UnicodeError:
        return False
    return True


def has_body(environ: dict[str, Any]) -> bool:
    return environ.get("CONTENT_LENGTH", "") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ


def check_body(request: Request) -> None:
    """Refuse a body that the parsers would fail on, or one that the API must not take."""
    header = request.headers.get("Content-Type")
    content_type = None
    if header is not None:
        parsed = Message()
        parsed["Content-Type"] = header
        content_type = parsed.get_content_type()
        charset = parsed.get_content_charset()
        if charset is not None and codec_name(charset) != "utf-8":
            raise ClientError(415, "the request body must be encoded as UTF-8")
        if parsed.get_content_maintype() == "multipart":
            boundary = parsed.get_param("boundary")
            if not isinstance(boundary, str) or not MULTIPART_BOUNDARY.fullmatch(boundary):
                raise ClientError(400, "the multipart body has no valid boundary")
    if (
        is_api_path(request)
        and request.method in UNSAFE_METHODS
        and content_type != JSON
        and (header is not None or request.method == "POST" or has_body(request.environ))
    ):
        raise ClientError(415, "the request body must be application/json")
    if content_type in FORM_TYPES:
        try:
            request.POST  # noqa: B018 - parse it now, with the parser the views will use
        except Exception:
            raise ClientError(400, "the form body could not be parsed") from None


def codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def read_body_first(policy: ExecutionPolicy) -> ExecutionPolicy:
    """Wrap an execution policy: read the body into a seekable copy before it runs."""

    def read_then_run(environ: dict[str, Any], router: Router) -> Response:
        copy = None
        if has_body(environ):
            try:
                Request(environ).make_body_seekable()
                copy = environ["wsgi.input"]
            except Exception:
                environ[UNREADABLE_BODY] = True
                environ["wsgi.input"] = io.BytesIO()
                environ["CONTENT_LENGTH"] = "0"
        try:
            return policy(environ, router)
        finally:
            if copy is not None:
                copy.close()

    return read_then_run


def guard_tween_factory(handler: Handler, registry: Registry) -> Handler:
    """The checks, in order of cost; a GET without a body passes the cheap ones only."""
    allowed_hosts = registry.settings["allowed_hosts"]

    # The answer for each Host header seen lately: a few names come again and again, and a
    # client sending ever new ones only evicts older answers.
    @functools.lru_cache(maxsize=256)
    def allowed(host: str) -> bool:
        return host_is_allowed(host, allowed_hosts)

    def guard(request: Request) -> Response:
        environ = request.environ
        # Without a Host header (HTTP/1.0), the address the server listens on, as Django does.
        host = environ["HTTP_HOST"] if "HTTP_HOST" in environ else environ.get("SERVER_NAME", "")
        if not allowed(host) and environ.get("PATH_INFO") != HEALTH_CHECK_PATH:
            raise ClientError(400, "the Host header names a host this site does not serve")
        if UNREADABLE_BODY in environ:
            raise ClientError(400, "the request body could not be read")
        if not url_is_utf8(environ):
            raise ClientError(400, "the URL is not valid UTF-8: check its percent-escapes")
        if "CONTENT_TYPE" in environ or environ["REQUEST_METHOD"] in UNSAFE_METHODS:
            check_body(request)  # a safe method without a Content-Type has nothing to check
        return handler(request)

    return guard


def includeme(config: Configurator) -> None:
    """Read ALLOWED_HOSTS, register the ``under_api`` predicate and the guard tween."""
    hosts = env_list("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)
    config.get_settings()["allowed_hosts"] = [host.lower() for host in hosts]
    config.add_view_predicate("under_api", UnderApiPredicate)
    config.add_tween(f"{__name__}.guard_tween_factory", under=EXCVIEW)

    def wrap_execution_policy() -> None:
        registry = config.registry
        policy = registry.queryUtility(IExecutionPolicy, default=default_execution_policy)
        registry.registerUtility(read_body_first(policy), IExecutionPolicy)

    # After set_execution_policy (pyramid_retry's, with a database), which runs at PHASE3_CONFIG.
    config.action(None, wrap_execution_policy, order=PHASE3_CONFIG + 1)
