"""Checks every request passes before it is routed: its Host, its URL and its body's type.

``config.include(".guards")`` adds a tween just under Pyramid's exception-view tween, so a
refused request is answered by the error views of ``views/errors.py`` (JSON under /api, HTML
elsewhere, with the security headers), and registers the ``under_api`` view predicate they use.

- Host: only the names in ALLOWED_HOSTS (the port is ignored), so that no URL or redirect is
  ever built from a Host header an attacker chose. ``/healthz`` answers whatever the Host, for
  load balancers and container health checks that probe by IP address.
- URL: the path and the query string must decode as UTF-8 (``%ff`` is a 400, not a 500).
- Body: a charset other than UTF-8 is a 415, a multipart body needs a valid boundary, and
  under /api a POST (or any write that has a body) must be ``application/json``: a browser
  sends a cross-site ``application/json`` request only after a CORS preflight, which this
  app never grants, so no other site can make a visitor's browser write through the API.
"""

import codecs
import re
from collections.abc import Callable
from email.message import Message
from typing import Any
from urllib.parse import unquote_to_bytes

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import EXCVIEW

from .environment import env_list
from .views.errors import ClientError

# Django's default, so that every starter answers the same names out of the box.
DEFAULT_ALLOWED_HOSTS = "localhost,127.0.0.1,[::1]"
HEALTH_CHECK_PATH = "/healthz"
JSON = "application/json"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A host name or IPv4 address, or an IPv6 address in brackets, then an optional port.
HOST_HEADER = re.compile(r"(?P<host>[a-z0-9.-]+|\[[a-f0-9:.]+\])(?::[0-9]{1,5})?")
# The boundaries that the form parser (the standard library's cgi) accepts; it raises on others.
MULTIPART_BOUNDARY = re.compile(r"[ -~]{0,200}[!-~]")

Handler = Callable[[Request], Response]


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
    try:
        environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        unquote_to_bytes(environ.get("QUERY_STRING", "")).decode("utf-8")
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
            boundary = parsed.get_boundary()
            if boundary is None or not MULTIPART_BOUNDARY.fullmatch(boundary):
                raise ClientError(400, "the multipart body has no valid boundary")
    if (
        is_api_path(request)
        and request.method in UNSAFE_METHODS
        and content_type != JSON
        and (header is not None or request.method == "POST" or has_body(request.environ))
    ):
        raise ClientError(415, "the request body must be application/json")
    if has_body(request.environ):
        try:
            request.make_body_seekable()  # read it now: a broken body is the client's error
        except Exception:
            raise ClientError(400, "the request body could not be read") from None


def codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def guard_tween_factory(handler: Handler, registry: Registry) -> Handler:
    allowed_hosts = registry.settings["allowed_hosts"]

    def guard(request: Request) -> Response:
        environ = request.environ
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if environ.get("PATH_INFO") != HEALTH_CHECK_PATH and not host_is_allowed(
            host, allowed_hosts
        ):
            raise ClientError(400, "the Host header names a host this site does not serve")
        if not url_is_utf8(environ):
            raise ClientError(400, "the URL is not valid UTF-8: check its percent-escapes")
        check_body(request)
        return handler(request)

    return guard


def includeme(config: Configurator) -> None:
    """Read ALLOWED_HOSTS, register the ``under_api`` predicate and the guard tween."""
    hosts = env_list("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)
    config.get_settings()["allowed_hosts"] = [host.lower() for host in hosts]
    config.add_view_predicate("under_api", UnderApiPredicate)
    config.add_tween(f"{__name__}.guard_tween_factory", under=EXCVIEW)
