"""Hostile-input probes of a running starter over loopback (webstarter issue 11).

What a careless or malicious client sends, and what a starter must answer: slow clients must
not starve a fresh request; the JSON API takes only JSON; bad input is a 4xx (JSON under
`/api`), never a 5xx; no answer leaks a traceback, a file path or a version string; HTTP
methods and hosts are handled as HTTP says. Every request goes over its own raw socket
(`Connection: close`) to the loopback base it was given, so that requests urllib would refuse
(no Host, TRACE, malformed chunks, bad bytes) can be sent too, each within TIMEOUT seconds.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import secrets
import socket
import time
from collections.abc import Collection, Mapping
from urllib.parse import urljoin, urlsplit

from webstarter.errors import ProbeFailed
from webstarter.smoke.probes import PROXY_HEADERS, SECURITY_HEADERS, Response, stylesheet_links

TIMEOUT = 5.0  # seconds for each request (connect, send, answer)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVIL_HOST = "evil.example"
CLIENT_ERRORS = range(400, 500)

# What an answer must never show: a traceback, a path of this machine, a software version.
_LEAKS = (
    "Traceback (most recent call last)",
    'File "',
    "/site-packages/",
    "/dist-packages/",
    "/usr/lib/python",
    "/usr/local/lib/python",
)
_VERSIONED = (
    "CherryPy",
    "Cheroot",
    "Werkzeug",
    "Django",
    "Flask",
    "Pyramid",
    "Bottle",
    "WebOb",
    "gunicorn",
    "waitress",
    "WSGIServer",
    "BaseHTTP",
    "SimpleHTTP",
    "CPython",
    "Python",
    "uvicorn",
    "hypercorn",
)
_VERSION = re.compile(r"\b(?:" + "|".join(_VERSIONED) + r")/\d[\w.]*", re.IGNORECASE)

# A request's headers, over the defaults (Host, X-Forwarded-Proto); None drops a default.
Headers = Mapping[str, str | None]


def _address(base_url: str) -> tuple[str, int, str]:
    """(host, port, netloc) of an http:// base on loopback; anything else is refused."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise ValueError(f"hostile probes only go to http:// on loopback, not {base_url!r}")
    return parts.hostname, parts.port or 80, parts.netloc


def _request_bytes(
    method: str, target: str, netloc: str, headers: Headers, body: bytes | None
) -> bytes:
    fields: dict[str, str | None] = {"Host": netloc, **PROXY_HEADERS}
    fields |= dict(headers)
    if body is not None and "Transfer-Encoding" not in fields:
        fields["Content-Length"] = str(len(body))
    fields["Connection"] = "close"
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in fields.items() if value is not None]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + (body or b"")


def exchange(
    base_url: str,
    method: str,
    target: str,
    headers: Headers | None = None,
    body: bytes | None = None,
    label: str = "",
    timeout: float | None = None,
) -> Response | None:
    """Send one request over a raw socket and read the answer (a probes.Response whose url is
    the label); None when the server closed the connection without answering. A timeout or
    a refused connection is a ProbeFailed naming the request."""
    host, port, netloc = _address(base_url)
    label = label or f"{method} {base_url}{target}"
    timeout = TIMEOUT if timeout is None else timeout
    data = _request_bytes(method, target, netloc, headers or {}, body)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        raise ProbeFailed(f"{label}: cannot connect ({error})") from None
    try:
        # The server may answer (and close) before it has read the whole request.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        reply = http.client.HTTPResponse(sock, method=method)
        try:
            reply.begin()
            content = reply.read()
        finally:
            reply.close()
    except TimeoutError:
        raise ProbeFailed(f"{label}: no answer within {timeout:g} s") from None
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return None
    except (http.client.HTTPException, OSError) as error:
        raise ProbeFailed(f"{label}: unreadable answer ({error!r})") from None
    finally:
        sock.close()
    headers_ = {name.lower(): value for name, value in reply.getheaders()}
    return Response(label, reply.status, headers_, content)


# Checks of one answer ---------------------------------------------------------------------


def check_leaks(response: Response) -> None:
    """No traceback, file path or framework version in the body or any header."""
    where = {f"header {name}": value for name, value in response.headers.items()}
    where["body"] = response.body.decode("utf-8", "replace")
    for place, text in where.items():
        for leak in _LEAKS:
            if leak in text:
                raise ProbeFailed(f"{response.url}: {place} leaks {leak!r}")
        if found := _VERSION.search(text):
            raise ProbeFailed(f"{response.url}: {place} leaks the version {found.group()!r}")


def check_security_headers(response: Response) -> None:
    missing = [name for name in SECURITY_HEADERS if name.lower() not in response.headers]
    if missing:
        raise ProbeFailed(
            f"{response.url}: status {response.status} without the security headers "
            + ", ".join(missing)
        )
    if response.headers.get("x-content-type-options", "").lower() != "nosniff":
        raise ProbeFailed(f"{response.url}: X-Content-Type-Options is not nosniff")


def check_json(response: Response) -> None:
    if response.content_type != "application/json":
        raise ProbeFailed(
            f"{response.url}: status {response.status} as {response.content_type!r}, "
            "expected a JSON error (application/json)"
        )
    try:
        json.loads(response.body)
    except ValueError as error:
        raise ProbeFailed(f"{response.url}: the body is not JSON ({error})") from None


def answered(response: Response | None, label: str) -> Response:
    if response is None:
        raise ProbeFailed(f"{label}: the server closed the connection without an answer")
    return response


def check_app_answer(
    response: Response | None,
    label: str,
    statuses: Collection[int],
    expected: str,
    api: bool = False,
) -> Response:
    """An answer of the app: an allowed status, no leak, the security headers, and JSON
    under /api."""
    response = answered(response, label)
    if response.status not in statuses:
        raise ProbeFailed(f"{label}: status {response.status}, expected {expected}")
    check_leaks(response)
    check_security_headers(response)
    if api and response.status >= 400:
        check_json(response)
    return response


def _mentions(response: Response, host: str) -> bool:
    return host in response.headers.get("location", "") or host.encode() in response.body


# The probes --------------------------------------------------------------------------------


def probe_slow_clients(base_url: str, clients: int = 50, deadline: float = 1.0) -> list[str]:
    """While `clients` connections hold half-sent requests open, a fresh GET /healthz must
    be answered (200) within `deadline` seconds. Every socket is closed before returning."""
    host, port, _ = _address(base_url)
    half = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    opened: list[socket.socket] = []
    try:
        for number in range(1, clients + 1):
            try:
                sock = socket.create_connection((host, port), timeout=TIMEOUT)
                opened.append(sock)
                sock.sendall(half)
            except OSError as error:
                raise ProbeFailed(
                    f"GET {base_url}/healthz half-sent by slow client {number} of {clients}: "
                    f"cannot connect or send ({error})"
                ) from None
        time.sleep(0.1)  # let the server take them in
        label = f"GET {base_url}/healthz while {clients} slow clients hold half-sent requests"
        started = time.monotonic()
        response = exchange(base_url, "GET", "/healthz", label=label, timeout=deadline)
        elapsed = time.monotonic() - started
    finally:
        for sock in opened:
            sock.close()
    response = answered(response, label)
    if elapsed > deadline:
        raise ProbeFailed(f"{label}: answered in {elapsed:.2f} s, more than {deadline:g} s")
    if response.status != 200:
        raise ProbeFailed(f"{label}: status {response.status}, expected 200")
    check_leaks(response)
    return [f"GET /healthz answered in {elapsed:.2f} s beside {clients} slow clients"]


def probe_hostile(base_url: str, has_database: bool, *, slow_clients: bool = True) -> list[str]:
    """Every hostile-input check against a running starter; the names of those that passed.
    The first failure raises ProbeFailed naming its request. `slow_clients=False` leaves out
    probe_slow_clients (for a caller that runs and reports it on its own)."""
    base = base_url.rstrip("/")
    passed: list[str] = []
    stylesheet = _stylesheet(base)
    passed.append("GET / and its stylesheet leak nothing")
    passed += _server_errors(base, has_database)
    passed += _semantics(base, stylesheet)
    passed += _bad_input(base, stylesheet)
    if has_database:
        passed += _json_only(base)
        passed += _bad_json(base)
    if slow_clients:
        passed += probe_slow_clients(base)
    return passed


def _stylesheet(base: str) -> str:
    """The path of the page's stylesheet, read from / (both answers checked for leaks)."""
    page = check_app_answer(exchange(base, "GET", "/"), f"GET {base}/", {200}, "200")
    links = stylesheet_links(page.body.decode("utf-8", "replace"))
    if not links:
        raise ProbeFailed(f'GET {base}/: no <link rel="stylesheet"> in the page')
    url = urlsplit(urljoin(base + "/", links[0]))
    if url.netloc != urlsplit(base).netloc:
        raise ProbeFailed(f"GET {base}/: the stylesheet {links[0]!r} is not served by {base}")
    path = url.path + (f"?{url.query}" if url.query else "")
    label = f"GET {base}{path}"
    check_app_answer(exchange(base, "GET", path, label=label), label, {200}, "200")
    return path


def _server_errors(base: str, has_database: bool) -> list[str]:
    """Answers the HTTP server may give by itself: only checked for leaks (and hangs)."""
    label = f"GET {base}/ with HTTP/1.1 and no Host header"
    if (response := exchange(base, "GET", "/", {"Host": None}, label=label)) is not None:
        check_leaks(response)
    target = "/api/notes" if has_database else "/api/hello"
    label = f"POST {base}{target} with a malformed chunked body (chunk size 'zz')"
    response = exchange(
        base,
        "POST",
        target,
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        b'zz\r\n{"title": "chunked"}\r\n0\r\n\r\n',
        label=label,
    )
    if response is not None:
        if response.status >= 500:
            raise ProbeFailed(f"{label}: status {response.status}, expected a 4xx or a close")
        check_leaks(response)
    return [
        "no Host header: nothing leaked",
        "malformed chunked body: no 5xx, no hang, nothing leaked",
    ]


def _semantics(base: str, stylesheet: str) -> list[str]:
    label = f"DELETE {base}/api/hello"
    response = check_app_answer(exchange(base, "DELETE", "/api/hello"), label, {405}, "405", True)
    if not response.headers.get("allow"):
        raise ProbeFailed(f"{label}: 405 without an Allow header")

    marker = f"hostile-{secrets.token_hex(4)}"
    label = f"TRACE {base}/"
    sent = exchange(base, "TRACE", "/", {"X-Hostile-Probe": marker})
    response = check_app_answer(sent, label, CLIENT_ERRORS, "a 4xx")
    if marker.encode() in response.body or b"TRACE / HTTP" in response.body:
        raise ProbeFailed(f"{label}: the request is echoed back")

    label = f"GET {base}/ with Host: {EVIL_HOST}"
    sent = exchange(base, "GET", "/", {"Host": EVIL_HOST}, label=label)
    response = check_app_answer(sent, label, CLIENT_ERRORS, "a 4xx (a host not served)")
    if _mentions(response, EVIL_HOST):
        raise ProbeFailed(f"{label}: the answer points to {EVIL_HOST}")
    label = f"GET {base}/healthz with Host: {EVIL_HOST}"
    sent = exchange(base, "GET", "/healthz", {"Host": EVIL_HOST}, label=label)
    response = check_app_answer(sent, label, {200, *CLIENT_ERRORS}, "200 or a 4xx")
    if _mentions(response, EVIL_HOST):
        raise ProbeFailed(f"{label}: the answer points to {EVIL_HOST}")

    forwarded = {"X-Forwarded-Host": EVIL_HOST, "X-Forwarded-For": "203.0.113.66"}
    folder = stylesheet.split("?")[0].rsplit("/", 1)[0] or "/"
    # "/" without X-Forwarded-Proto: a starter that redirects to https builds a Location.
    for path, proto in (("/", None), (folder, "https")):
        label = f"GET {base}{path} with X-Forwarded-Host: {EVIL_HOST} from an untrusted client"
        sent = exchange(base, "GET", path, {**forwarded, "X-Forwarded-Proto": proto}, label=label)
        response = check_app_answer(sent, label, range(200, 500), "no 5xx")
        location = response.headers.get("location", "")
        if _mentions(response, EVIL_HOST) or "203.0.113.66" in location:
            raise ProbeFailed(f"{label}: the forwarded host shows up in the answer")
    return [
        "DELETE /api/hello: 405 with Allow",
        "TRACE /: 4xx, nothing echoed",
        f"Host: {EVIL_HOST}: 4xx on /, no link to it",
        "X-Forwarded-Host/-For of an untrusted client: not in Location",
    ]


def _bad_input(base: str, stylesheet: str) -> list[str]:
    """Bad input on the routes every starter has: a 4xx, never a 5xx."""
    label = f"GET {base}/api/hello?name=%ff (not UTF-8)"
    response = exchange(base, "GET", "/api/hello?name=%ff", label=label)
    check_app_answer(response, label, CLIENT_ERRORS, "a 4xx", api=True)
    label = f"GET {base}/%ff (not UTF-8)"
    check_app_answer(exchange(base, "GET", "/%ff", label=label), label, CLIENT_ERRORS, "a 4xx")
    label = f"GET {base}{stylesheet} with Range: bytes=abc"
    response = exchange(base, "GET", stylesheet, {"Range": "bytes=abc"}, label=label)
    # RFC 9110 lets a server ignore a Range it cannot parse (200); refusing it is a 4xx.
    check_app_answer(response, label, {200, 400, 416}, "200 (ignored), 400 or 416")
    return [
        "GET /api/hello?name=%ff: 4xx JSON",
        "GET /%ff: 4xx",
        "Range: bytes=abc on the stylesheet: 200, 400 or 416",
    ]


def _post_notes(
    base: str, body: bytes | None, content_type: str | None, label: str
) -> Response | None:
    return exchange(base, "POST", "/api/notes", {"Content-Type": content_type}, body, label)


def _json_only(base: str) -> list[str]:
    """POST /api/notes with anything but application/json: 415 with a JSON body."""
    kinds = {
        "text/plain": b'{"title": "hostile probe"}',
        "application/x-www-form-urlencoded": b"title=hostile+probe",
        None: b'{"title": "hostile probe"}',
    }
    for content_type, body in kinds.items():
        label = f"POST {base}/api/notes with " + (
            f"Content-Type: {content_type}" if content_type else "no Content-Type"
        )
        response = _post_notes(base, body, content_type, label)
        check_app_answer(response, label, {415}, "415", api=True)
    return ["POST /api/notes as text/plain, form or untyped: 415 JSON"]


def _bad_json(base: str) -> list[str]:
    """Bad input to the notes API (and its form): a 4xx, JSON under /api."""
    json_type = "application/json"
    nested = b'{"title": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    bodies = [
        ("a lone surrogate escape in the title", rb'{"title": "\ud800"}', json_type),
        ("a lone surrogate as raw bytes", b'{"title": "\xed\xa0\x80"}', json_type),
        ("JSON nested 5000 levels deep", nested, json_type),
        (
            "Content-Type: application/json; charset=no-such-charset",
            b'{"title": "hostile probe"}',
            json_type + "; charset=no-such-charset",
        ),
        (
            "Content-Type: multipart/form-data without a boundary",
            b"title=hostile",
            "multipart/form-data",
        ),
    ]
    for what, body, content_type in bodies:
        label = f"POST {base}/api/notes with {what}"
        response = _post_notes(base, body, content_type, label)
        check_app_answer(response, label, CLIENT_ERRORS, "a 4xx", api=True)
    label = f"POST {base}/notes (the form) as multipart/form-data without a boundary"
    response = exchange(
        base, "POST", "/notes", {"Content-Type": "multipart/form-data"}, b"title=x", label
    )
    check_app_answer(response, label, CLIENT_ERRORS, "a 4xx")
    huge = "99999999999999999999"
    for target in (f"/api/notes/{huge}", f"/api/notes?page={huge}"):
        label = f"GET {base}{target}"
        check_app_answer(exchange(base, "GET", target), label, CLIENT_ERRORS, "a 4xx", True)
    return [
        "POST /api/notes with lone surrogates: 4xx JSON",
        "POST /api/notes nested 5000 deep: 4xx JSON",
        "POST /api/notes with an unknown charset: 4xx JSON",
        "POST /api/notes and /notes as multipart without a boundary: 4xx",
        f"GET /api/notes/{huge} and ?page={huge}: 4xx JSON",
    ]
