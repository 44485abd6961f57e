"""Where a request comes from: the proxies whose X-Forwarded-* headers are believed
(TRUSTED_PROXIES) and the host names the site answers to (ALLOWED_HOSTS).

Bottle builds `request.url`, `request.urlparts` and `request.remote_addr` from X-Forwarded-For,
-Proto and -Host whoever sent them. `believe_proxies` (called by the middleware, before Bottle
reads the request) removes these three headers unless the connection comes from a trusted
proxy, so Bottle falls back to what the server saw (REMOTE_ADDR, the Host header, the server's
own wsgi.url_scheme). The check made by `host_check` then answers 400 to a Host that is not in
ALLOWED_HOSTS, so no link or redirect is ever built from a forged one.
"""

import functools
import ipaddress
import logging
import re
from collections.abc import Callable, Iterable, Sequence

import bottle

from .environment import DEFAULT_ALLOWED_HOSTS, env_list, env_networks

logger = logging.getLogger(__name__)

# Load balancers and container health checks probe by IP address: any Host may ask.
ANY_HOST_PATHS = frozenset({"/healthz"})
# A host name or an IPv6 literal, then an optional port (Django's host_validation_re).
HOST = re.compile(r"^(?P<name>[a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]+)?$")
# The X-Forwarded-* headers Bottle reads. Code that reads another one (X-Forwarded-Port...)
# adds it here, so that it is dropped too when it does not come from a trusted proxy. Looking
# these up by name is cheap; a sweep over every environ key is not (granian's environ also
# holds the process environment).
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")
SCHEMES = frozenset({"http", "https"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_hosts() -> list[str]:
    """ALLOWED_HOSTS: names (`example.com`), domains with subdomains (`.example.com`) or `*`."""
    return [host.lower().rstrip(".") for host in env_list("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)]


def trusted_proxies() -> list[Network]:
    """TRUSTED_PROXIES: addresses or networks (10.0.0.0/8) of the proxies in front, or none."""
    return env_networks("TRUSTED_PROXIES")


def is_trusted(address: str, proxies: Sequence[Network]) -> bool:
    """Whether `address` (as the server or a proxy reports it) belongs to a trusted proxy."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in proxies)


def last_value(environ: dict[str, str], key: str) -> str:
    """The value the nearest proxy set: the last one of a comma-separated list."""
    return environ.get(key, "").rsplit(",", 1)[-1].strip()


def client_route(forwarded_for: str, peer: str, proxies: Sequence[Network]) -> list[str]:
    """The client and the proxies after it, read from the right: every address before the
    first untrusted one from the right was written by the client and may be forged."""
    route = [address.strip() for address in forwarded_for.split(",") if address.strip()]
    route.append(peer)
    start = len(route) - 1
    while start > 0 and is_trusted(route[start], proxies):
        start -= 1
    return route[start:-1] or [peer]


def believe_proxies(environ: dict[str, str], proxies: Sequence[Network]) -> None:
    """Keep X-Forwarded-* only from a trusted proxy, and only the values it set itself."""
    peer = environ.get("REMOTE_ADDR", "")
    # No proxy in front (the default): no call to make, none of them is believed.
    if not proxies or not is_trusted(peer, proxies):
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        return
    if "HTTP_X_FORWARDED_FOR" in environ:
        route = client_route(environ["HTTP_X_FORWARDED_FOR"], peer, proxies)
        environ["HTTP_X_FORWARDED_FOR"] = ", ".join(route)
    scheme = last_value(environ, "HTTP_X_FORWARDED_PROTO").lower()
    if scheme in SCHEMES:
        environ["HTTP_X_FORWARDED_PROTO"] = scheme
    else:
        environ.pop("HTTP_X_FORWARDED_PROTO", None)
    if host := last_value(environ, "HTTP_X_FORWARDED_HOST"):
        environ["HTTP_X_FORWARDED_HOST"] = host
    else:
        environ.pop("HTTP_X_FORWARDED_HOST", None)


def host_name(netloc: str) -> str | None:
    """The name part of a Host header (`Example.COM.:8000` -> `example.com`), None if invalid."""
    match = HOST.match(netloc.lower())
    return match.group("name").rstrip(".") if match else None


def is_allowed(name: str, allowed: Iterable[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


def request_host(environ: dict[str, str]) -> str:
    """The host Bottle builds URLs from (`request.urlparts.netloc`), read straight from the
    environ: X-Forwarded-Host (kept only from a trusted proxy), else Host, else the server's
    name and port."""
    host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST")
    if host:
        return host
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    host = environ.get("SERVER_NAME", "127.0.0.1")
    port = environ.get("SERVER_PORT")
    if port and port != ("80" if scheme == "http" else "443"):
        host += ":" + port
    return host


def host_check(allowed: Sequence[str]) -> Callable[[dict[str, str]], None]:
    """The ALLOWED_HOSTS check guards.py runs before routing: it aborts with 400 unless the
    request names an allowed host (any host may ask for ANY_HOST_PATHS)."""

    # A site sees the same few Host headers over and over: remember the verdicts (bounded,
    # so that a client sending made-up hosts cannot grow it).
    @functools.lru_cache(maxsize=256)
    def serves(netloc: str) -> bool:
        name = host_name(netloc)
        return name is not None and is_allowed(name, allowed)

    def check_host(environ: dict[str, str]) -> None:
        # request_host's usual answers without its call: this runs for every request.
        netloc = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST")
        if not netloc:
            netloc = request_host(environ)
        if serves(netloc):
            return
        # Bottle's request.path: PATH_INFO with exactly one leading slash.
        if "/" + environ.get("PATH_INFO", "").lstrip("/") in ANY_HOST_PATHS:
            return
        logger.warning("refused a request for host %.100r: not in ALLOWED_HOSTS", netloc)
        bottle.abort(400, "the Host header names a host this site does not serve")

    return check_host
