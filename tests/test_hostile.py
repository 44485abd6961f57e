"""The hostile-input probes against small HTTP servers on loopback: one that keeps every
promise, and variants that break one promise each."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from webstarter.errors import ProbeFailed
from webstarter.smoke import hostile
from webstarter.smoke.hostile import exchange, probe_hostile, probe_slow_clients

SECURITY = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
TRACEBACK = (
    'Traceback (most recent call last):\n  File "/usr/lib/python3.11/site-packages/app.py",'
    " line 1, in post\nUnicodeEncodeError: surrogates not allowed\n"
)


class BadBody(ValueError):
    pass


class Starter(BaseHTTPRequestHandler):
    """A starter that keeps the hostile-input promises, unless `server.breaks` names one to
    break."""

    def log_message(self, *args):
        pass

    def version_string(self):
        return "CherryPy/18.10.0" if self.breaks == "server-version" else "starter"

    @property
    def breaks(self) -> str:
        return self.server.breaks

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def do_TRACE(self):
        self.route("TRACE")

    def answer(self, status, body=b"", kind="text/html", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if not (self.breaks == "bare-errors" and status >= 400):
            for name, value in SECURITY.items():
                self.send_header(name, value)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def json(self, status, payload, headers=None):
        self.answer(status, json.dumps(payload).encode(), "application/json", headers)

    def error(self, status, message, path):
        if path.startswith("/api/"):
            self.json(status, {"error": message})
        else:
            self.answer(status, f"<p>{message}</p>".encode())

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                try:
                    size = int(self.rfile.readline().strip(), 16)
                except ValueError:
                    raise BadBody("bad chunk size") from None
                if size == 0:
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def route(self, method):
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host")
        if method == "TRACE" and self.breaks == "trace-echo":
            return self.answer(200, self.requestline.encode() + b"\r\n" + bytes(self.headers))
        if host is None:
            return self.error(400, "a Host header is required", path)
        if path == "/healthz":
            return self.json(200, {"status": "ok"})
        if host not in self.server.hosts:
            if self.breaks == "host-redirect":
                return self.answer(302, headers={"Location": f"http://{host}/"})
            return self.error(400, "unknown host", path)
        if method == "TRACE":
            return self.error(405, "method not allowed", path)
        chunked = self.headers.get("Transfer-Encoding") == "chunked"
        if chunked and self.breaks == "chunk-hang":
            time.sleep(1)
            return None
        if chunked and self.breaks == "chunk-close":
            return None  # the server hangs up without an answer
        if chunked and self.breaks == "chunk-500":
            return self.answer(500, b"<h1>Internal Server Error</h1>")
        try:
            body = self.read_body()
        except BadBody as error:
            return self.error(400, str(error), path)
        if path == "/" and method == "GET":
            forwarded = self.headers.get("X-Forwarded-Host")
            if forwarded and self.breaks == "forwarded-host":
                return self.answer(302, headers={"Location": f"https://{forwarded}/"})
            return self.answer(200, b'<link rel="stylesheet" href="/static/site.css">')
        if path == "/static/site.css":
            if self.breaks == "range-500" and self.headers.get("Range"):
                return self.answer(500, b"<h1>Internal Server Error</h1>")
            return self.answer(200, b"body{}", "text/css")
        if path == "/api/hello":
            return self.hello(method, query)
        if path == "/api/notes" and method == "POST":
            return self.post_note(body)
        if path == "/api/notes":
            page = parse_qs(query).get("page", ["1"])[0]
            if not page.isdigit() or not 1 <= int(page) <= 10_000:
                return self.json(400, {"error": "bad page", "field": "page"})
            return self.json(200, {"items": [], "page": int(page), "total": 0})
        if path.startswith("/api/notes/"):
            note_id = path.rsplit("/", 1)[1]
            if self.breaks == "big-id" and int(note_id) >= 2**63:
                return self.answer(500, b"<h1>Internal Server Error</h1>")
            return self.json(404, {"error": "not found"})
        if path == "/notes" and method == "POST":
            if "boundary=" not in self.headers.get("Content-Type", ""):
                return self.error(400, "no boundary", path)
            return self.error(403, "CSRF token missing", path)
        if self.breaks == "path-leak" and path == "/%ff":
            return self.error(404, "/usr/lib/python3.11/site-packages/app/views.py", path)
        return self.error(404, "not found", path)

    def hello(self, method, query):
        if method != "GET" and self.breaks != "delete-200":
            return self.json(405, {"error": "method not allowed"}, {"Allow": "GET, HEAD"})
        try:
            name = parse_qs(query, errors="strict").get("name", ["world"])[0]
        except UnicodeDecodeError:
            return self.json(400, {"error": "not UTF-8", "field": "name"})
        return self.json(200, {"message": f"Hello, {name}!"})

    def post_note(self, body):
        kind, _, params = self.headers.get("Content-Type", "").partition(";")
        if kind.strip() != "application/json" and self.breaks != "text-plain-201":
            return self.json(415, {"error": "send application/json"})
        if params.strip() not in ("", "charset=utf-8"):
            return self.json(415, {"error": "JSON is UTF-8"})
        try:
            note = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            return self.json(400, {"error": "not JSON"})
        title = note.get("title") if isinstance(note, dict) else None
        if not isinstance(title, str):
            return self.json(422, {"error": "a title is required", "field": "title"})
        try:
            title.encode("utf-8")
        except UnicodeEncodeError:
            if self.breaks == "traceback-500":
                return self.answer(500, TRACEBACK.encode(), "text/plain")
            return self.json(422, {"error": "not valid text", "field": "title"})
        return self.json(201, {"id": 1, "title": title})


class ProbeServer(ThreadingHTTPServer):
    request_queue_size = 128  # the slow clients queue up before a blocked server
    breaks = ""
    hosts: tuple[str, ...] = ()

    def handle_error(self, request, client_address):
        pass  # answers to slow clients that hung up


class SingleThreaded(ProbeServer):
    """Serves one connection at a time: a half-sent request blocks everyone else."""

    def process_request(self, request, client_address):
        HTTPServer.process_request(self, request, client_address)


@pytest.fixture
def serve() -> Iterator:
    servers = []

    def start(breaks: str = "", server_class: type[ProbeServer] = ProbeServer) -> str:
        server = server_class(("127.0.0.1", 0), Starter)
        server.breaks = breaks
        port = server.server_port
        server.hosts = (f"127.0.0.1:{port}", f"localhost:{port}")
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("has_database", [True, False])
def test_a_starter_that_keeps_every_promise_passes(serve, has_database):
    passed = probe_hostile(serve(), has_database)
    assert "DELETE /api/hello: 405 with Allow" in passed
    assert passed[-1].startswith("GET /healthz answered in ")
    assert ("POST /api/notes as text/plain, form or untyped: 415 JSON" in passed) == has_database
    assert len(passed) == (17 if has_database else 11)


def test_the_slow_clients_can_be_left_to_the_caller(serve):
    base = serve(server_class=SingleThreaded)
    passed = probe_hostile(base, has_database=True, slow_clients=False)
    assert not any("slow clients" in name for name in passed)


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (
            "traceback-500",
            r"^POST http://127\.0\.0\.1:\d+/api/notes with a lone surrogate escape in the "
            r"title: status 500, expected a 4xx$",
        ),
        ("trace-echo", r"^TRACE http://127\.0\.0\.1:\d+/: status 200, expected a 4xx$"),
        (
            "text-plain-201",
            r"^POST http://127\.0\.0\.1:\d+/api/notes with Content-Type: text/plain: "
            r"status 201, expected 415$",
        ),
        ("delete-200", r"^DELETE http://127\.0\.0\.1:\d+/api/hello: status 200, expected 405$"),
        (
            "range-500",
            r"^GET http://127\.0\.0\.1:\d+/static/site\.css with Range: bytes=abc: status 500,"
            r" expected 200 \(ignored\), 400 or 416$",
        ),
        (
            "server-version",
            r"^GET http://127\.0\.0\.1:\d+/: header server leaks the version 'CherryPy/18\.10\.0'$",
        ),
        (
            "bare-errors",
            r"^DELETE http://127\.0\.0\.1:\d+/api/hello: status 405 without the security "
            r"headers Content-Security-Policy, X-Content-Type-Options, ",
        ),
        (
            "host-redirect",
            r"^GET http://127\.0\.0\.1:\d+/ with Host: evil\.example: status 302, expected a 4xx",
        ),
        (
            "forwarded-host",
            r"^GET http://127\.0\.0\.1:\d+/ with X-Forwarded-Host: evil\.example from an "
            r"untrusted client: the forwarded host shows up in the answer$",
        ),
        (
            "path-leak",
            r"^GET http://127\.0\.0\.1:\d+/%ff \(not UTF-8\): body leaks '/site-packages/'$",
        ),
        (
            "big-id",
            r"^GET http://127\.0\.0\.1:\d+/api/notes/99999999999999999999: status 500, "
            r"expected a 4xx$",
        ),
    ],
)
def test_each_broken_promise_names_its_request(serve, breaks, message):
    with pytest.raises(ProbeFailed, match=message):
        probe_hostile(serve(breaks), has_database=True, slow_clients=False)


def test_a_server_blocked_by_a_half_sent_request_fails_the_slow_client_probe(serve):
    base = serve(server_class=SingleThreaded)
    started = time.monotonic()
    with pytest.raises(ProbeFailed) as failure:
        probe_slow_clients(base, clients=5, deadline=0.5)
    assert time.monotonic() - started < 3
    assert str(failure.value) == (
        f"GET {base}/healthz while 5 slow clients hold half-sent requests: no answer within 0.5 s"
    )
    # every slow socket was closed: the blocked server catches up and answers again
    response = exchange(base, "GET", "/healthz")
    assert response is not None
    assert response.status == 200


def test_slow_client_probe_passes_on_a_threaded_server(serve):
    passed = probe_slow_clients(serve())
    assert passed[0].endswith("beside 50 slow clients")


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        ("chunk-hang", "no answer within 0.5 s"),
        ("chunk-500", "status 500, expected a 4xx or a close"),
    ],
)
def test_a_malformed_chunk_must_not_hang_or_fail_the_server(serve, monkeypatch, breaks, message):
    monkeypatch.setattr(hostile, "TIMEOUT", 0.5)
    expected = (
        r"^POST http://127\.0\.0\.1:\d+/api/hello with a malformed chunked body "
        rf"\(chunk size 'zz'\): {message}$"
    )
    with pytest.raises(ProbeFailed, match=expected):
        probe_hostile(serve(breaks), has_database=False, slow_clients=False)


def test_a_server_that_hangs_up_on_a_malformed_chunk_passes(serve):
    passed = probe_hostile(serve("chunk-close"), has_database=True, slow_clients=False)
    assert "malformed chunked body: no 5xx, no hang, nothing leaked" in passed


def test_probes_go_to_loopback_only():
    with pytest.raises(ValueError, match="only go to http:// on loopback"):
        probe_hostile("http://example.com", has_database=False)
    with pytest.raises(ValueError, match="loopback"):
        probe_slow_clients("https://127.0.0.1:8443")


def test_leaks_are_found_in_bodies_and_headers():
    from webstarter.smoke.probes import Response

    for body, headers, leak in [
        (TRACEBACK.encode(), {}, "'Traceback (most recent call last)'"),
        (b"<p>Werkzeug/3.1.3 Python/3.11.7</p>", {}, "the version 'Werkzeug/3.1.3'"),
        (b"", {"server": "gunicorn/23.0.0"}, "header server leaks the version 'gunicorn/23.0.0'"),
        (b"", {"server": "waitress/3.0.2"}, "the version 'waitress/3.0.2'"),
        (b"", {"server": "WSGIServer/0.2 CPython/3.11.7"}, "the version 'WSGIServer/0.2'"),
        (b"see /usr/local/lib/python3.11/x.py", {}, "'/usr/local/lib/python'"),
    ]:
        with pytest.raises(ProbeFailed, match=f"^X: .*{re.escape(leak)}"):
            hostile.check_leaks(Response("X", 500, headers, body))
    for clean in (b"<p>Django 5.2 on gunicorn</p>", b'{"error": "not found"}'):
        hostile.check_leaks(Response("X", 404, {"server": "gunicorn"}, clean))
