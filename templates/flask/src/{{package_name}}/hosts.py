"""ALLOWED_HOSTS: the Host headers the app answers, decided by one set lookup per request.

Werkzeug's TRUSTED_HOSTS makes the same decision, but Flask 3.1 has it IDNA-encode every
allowed name again on every request, and it cannot match an IPv6 literal such as `[::1]`.
Here the names are encoded once, at start-up.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.exceptions import SecurityError

from .environment import DEFAULT_ALLOWED_HOSTS, ConfigurationError, env_list

HOST_NAME = re.compile(r"[a-z0-9.-]+")  # what a subdomain matched by a `.name` may hold
MAX_REMEMBERED = 64  # allowed Host headers kept, so that checking them again is one lookup


class AllowedHosts:
    """Host names as ALLOWED_HOSTS lists them: `example.com` allows that name, `.example.com`
    that name and its subdomains, and `*` alone any host (only behind a proxy that checks the
    host itself). Names are compared case-insensitively, without the port."""

    def __init__(self, names: Iterable[str]) -> None:
        names = [idna(name.strip().lower()) for name in names if name.strip()]
        if not names:
            raise ConfigurationError(
                "ALLOWED_HOSTS is empty: list the host names the site answers to"
            )
        self.any = "*" in names
        self.names = frozenset(name.removeprefix(".") for name in names)
        self.suffixes = tuple(name for name in names if name.startswith("."))
        # Host headers already allowed, exactly as sent: most requests repeat one of a few.
        self.allowed: set[str] = set()

    @classmethod
    def from_environment(cls) -> "AllowedHosts":
        return cls(env_list("ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS))

    def allows(self, host: str) -> bool:
        """Whether a Host header (`name` or `name:port`) names an allowed host."""
        if self.any:
            return True
        host = host.lower()
        if host.startswith("["):  # an IPv6 literal: [::1]:8000
            end = host.find("]") + 1
            name, port = (host[:end], host[end:]) if end else ("", "")
        else:
            name, colon, port = host.partition(":")
            port = colon + port
        if port and not (port[0] == ":" and port[1:].isascii() and port[1:].isdigit()):
            return False
        if name in self.names:
            return True
        return name.endswith(self.suffixes) and HOST_NAME.fullmatch(name) is not None

    def check(self, environ: Mapping[str, Any]) -> None:
        """Raise Werkzeug's SecurityError (a 400, see errors.py) for a host not allowed; without
        a Host header (HTTP/1.0) the server's own name counts, as in Werkzeug."""
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if host in self.allowed:
            return
        if not self.allows(host):
            raise SecurityError("host not allowed")
        if len(self.allowed) < MAX_REMEMBERED:  # bounded: the port and case vary freely
            self.allowed.add(host)


def idna(name: str) -> str:
    """A host name as it arrives in a Host header: internationalised names IDNA-encoded."""
    if name.isascii():
        return name
    dot, label = (".", name[1:]) if name.startswith(".") else ("", name)
    try:
        return dot + label.encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigurationError(f"ALLOWED_HOSTS holds an invalid host name: {name!r}") from None
