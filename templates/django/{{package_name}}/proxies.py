"""Believe X-Forwarded-For and -Proto only from the proxies listed in FORWARDED_ALLOW_IPS.

gunicorn and waitress apply a trusted proxy's headers themselves; granian passes them through,
so config/wsgi.py wraps the application in ProxyHeadersMiddleware. It follows the rules of
granian's own wrap_wsgi_with_proxy_headers (the client is the right-most X-Forwarded-For
address that is not a trusted proxy; the scheme is believed only with it), but remembers which
addresses are trusted: granian parses the peer's and each forwarded address on every request,
which cost the JSON API more than a tenth of its time.
"""

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = frozenset({"http", "https"})


class ProxyHeadersMiddleware:
    """WSGI middleware: a trusted proxy's X-Forwarded-For and -Proto become the request's."""

    def __init__(self, app: WSGIApp, trusted: str) -> None:
        """``trusted``: comma-separated addresses, networks (``10.0.0.0/8``), or ``*`` for any."""
        self.app = app
        items = [item.strip() for item in trusted.split(",") if item.strip()]
        self.trust_all = "*" in items
        self.networks: list[Network] = []
        self.names: set[str] = set()  # anything that is not an address (a Unix socket's name)
        for item in items:
            try:
                self.networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.names.add(item)
        # The answers are kept for the addresses seen last: a bounded cache, whatever clients send.
        self.is_trusted = lru_cache(maxsize=1024)(self._is_trusted)

    def _is_trusted(self, host: str) -> bool:
        if self.trust_all:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in self.names
        return any(address in network for network in self.networks)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded and self.is_trusted(environ.get("REMOTE_ADDR") or ""):
            hosts = [host.strip() for host in forwarded.split(",")]
            client = next((host for host in reversed(hosts) if not self.is_trusted(host)), hosts[0])
            if client:
                environ["REMOTE_ADDR"] = client
                if environ.get("HTTP_X_FORWARDED_PROTO") in SCHEMES:
                    environ["wsgi.url_scheme"] = environ["HTTP_X_FORWARDED_PROTO"]
        return self.app(environ, start_response)
