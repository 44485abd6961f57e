"""The WSGI middleware around the Bottle app: what every request and every answer goes through.

Bottle.__call__ calls app.wsgi, which create_app() wraps with `secure`, so it sees every
answer: routes, error pages, static files and Bottle's own last-resort 500 page. (An
after_request hook would not do for the headers: Bottle replaces a response's headers when a
route raises, after its hooks have run.)

It is one function doing three cheap things, because each extra layer or hook is paid on
every request: before Bottle reads the request, X-Forwarded-* headers from a peer that is not
a trusted proxy are dropped (hosts.believe_proxies); on the way out, the security headers are
added; once the app has answered, the copy of the request body Bottle kept is closed.
"""

# The annotations stay strings: start_hardened is defined anew for every request, and Python
# would otherwise build its `list[tuple[str, str]]` each time.
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .hosts import Network, believe_proxies
from .security import ALL_HEADERS, SECURITY_HEADERS, missing_security_headers

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def secure(app: WSGIApp, proxies: Sequence[Network]) -> WSGIApp:
    """`app` with forged proxy headers out, security headers in, the request body closed.

    A closure rather than a class with __call__: calling an instance costs more, per request.
    """

    def secured(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        believe_proxies(environ, proxies)

        def start_hardened(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            # Bottle writes every header name in title case (bottle._hkey), as SECURITY_HEADERS
            # spells them, so exact names find the rare response that sets one itself; that one
            # gets the comparison without case of missing_security_headers.
            for name, _ in headers:
                if name in SECURITY_HEADERS:
                    headers = headers + missing_security_headers(name for name, _ in headers)
                    break
            else:
                headers = headers + ALL_HEADERS
            return start_response(status, headers, exc_info)

        try:
            return app(environ, start_hardened)
        finally:
            # Bottle keeps the body it read (a temporary file when it is large) in the
            # environ; without this it stays open until the garbage collector finds it.
            body = environ.get("bottle.request.body")
            if body is not None:
                body.close()

    return secured
