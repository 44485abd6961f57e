"""The WSGI middleware around the Bottle app: what every request and every answer goes through.

Bottle.__call__ calls app.wsgi, which create_app() wraps in `SecurityMiddleware`, so it sees
every answer: routes, error pages, static files and Bottle's own last-resort 500 page. (An
after_request hook would not do for the headers: Bottle replaces a response's headers when a
route raises, after its hooks have run.)

It is one middleware doing three cheap things, because each extra layer or hook is paid on
every request: before Bottle reads the request, X-Forwarded-* headers from a peer that is not
a trusted proxy are dropped (hosts.believe_proxies); on the way out, the security headers are
added; once the app has answered, the copy of the request body Bottle kept is closed.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .hosts import Network, believe_proxies
from .security import missing_security_headers


class SecurityMiddleware:
    """Forged proxy headers out, security headers in, the request body closed."""

    def __init__(self, app: Callable[..., Iterable[bytes]], proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = proxies

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        believe_proxies(environ, self.proxies)

        def start_hardened(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            missing = missing_security_headers(name for name, _ in headers)
            return start_response(status, headers + missing, exc_info)

        try:
            return self.app(environ, start_hardened)
        finally:
            # Bottle keeps the body it read (a temporary file when it is large) in the
            # environ; without this it stays open until the garbage collector finds it.
            body = environ.get("bottle.request.body")
            if body is not None:
                body.close()
