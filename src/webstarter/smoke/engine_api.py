"""The Docker daemon's HTTP API on its unix socket, for the questions the container step asks
most: inspect, logs, stop and remove.

Each `docker` command is a process of its own (about a tenth of a CPU second with the daemon's
share), and a cell asks dozens of them while it waits for a container to answer, turn healthy
and stop. Over the socket the same question costs a request. Builds and `docker run` stay with
the client, which knows BuildKit, and any endpoint other than a local socket (tcp, ssh, a
remote context) keeps the client for everything.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import quote

from webstarter.errors import StepFailed

UNIX_SCHEME = "unix://"
# Logs of a container started without a TTY come in frames: one byte for the stream (1 stdout,
# 2 stderr), three zero bytes, then the payload's length as four big-endian bytes.
FRAME_HEADER = 8


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class EngineApi:
    """Requests to one daemon's socket; every failure is a StepFailed naming the request."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def at(cls, endpoint: str) -> EngineApi | None:
        """The API of a `unix://` endpoint whose daemon answers a ping, else None."""
        if not endpoint.startswith(UNIX_SCHEME):
            return None
        api = cls(endpoint.removeprefix(UNIX_SCHEME))
        try:
            status, _ = api.request("GET", "/_ping", timeout=5)
        except StepFailed:
            return None
        return api if status == 200 else None

    def request(self, method: str, path: str, timeout: float = 30) -> tuple[int, bytes]:
        connection = _UnixConnection(self.path, timeout)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            raise StepFailed(f"Docker API {method} {path}: {error}") from None
        finally:
            connection.close()

    def inspect(self, kind: str, name: str) -> dict[str, Any]:
        """`docker inspect` of a container or an image, as the daemon's JSON."""
        status, body = self.request("GET", f"/{kind}s/{quote(name, safe='')}/json")
        if status != 200:
            raise StepFailed(f"no such {kind}: {name} ({_message(body)})")
        data = json.loads(body)
        if not isinstance(data, dict):
            raise StepFailed(f"Docker API: {kind} {name} is not described by an object")
        return data

    def logs(self, container: str) -> str:
        status, body = self.request(
            "GET", f"/containers/{quote(container, safe='')}/logs?stdout=1&stderr=1"
        )
        return demultiplex(body) if status == 200 else ""

    def stop(self, container: str, grace: int) -> None:
        path = f"/containers/{quote(container, safe='')}/stop?t={grace}"
        status, body = self.request("POST", path, timeout=grace + 30)
        if status not in (204, 304):  # stopped now, or already
            raise StepFailed(f"`docker stop {container}` failed: {_message(body)}")

    def remove(self, kind: str, name: str) -> None:
        """Remove a container, volume or image by force; one that is already gone is fine."""
        self.request("DELETE", f"/{kind}s/{quote(name, safe='')}?force=1", timeout=120)


def demultiplex(body: bytes) -> str:
    """The text of a framed log stream, stdout and stderr in the order they were written."""
    out = bytearray()
    at = 0
    while at + FRAME_HEADER <= len(body):
        size = int.from_bytes(body[at + 4 : at + FRAME_HEADER], "big")
        out += body[at + FRAME_HEADER : at + FRAME_HEADER + size]
        at += FRAME_HEADER + size
    return out.decode("utf-8", errors="replace")


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", "")) or "?"
    except (ValueError, AttributeError):
        return body.decode("utf-8", errors="replace").strip() or "?"
