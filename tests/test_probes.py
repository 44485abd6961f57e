"""The contract probes against real HTTP servers on loopback: one that keeps the contract
and variants that break it one way each."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from webstarter.errors import ProbeFailed
from webstarter.smoke.probes import (
    note_title,
    probe_contract,
    probe_notes,
    stylesheet_links,
)

HEADERS = [
    ("Content-Security-Policy", "default-src 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
]


def contract_app(break_: str = ""):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        routes = {
            "/": ("200 OK", "text/html", b'<link rel="stylesheet" href="/static/site.css">'),
            "/static/site.css": ("200 OK", "text/css", b"body{}"),
            "/api/hello": ("200 OK", "application/json", b'{"message": "Hello, Smoke!"}'),
            "/healthz": ("200 OK", "application/json", json.dumps({"status": "ok"}).encode()),
        }
        if path.startswith("/api/") and path not in routes:
            status, kind, body = "404 Not Found", "application/json", b'{"error": "not found"}'
        else:
            status, kind, body = routes.get(path, ("404 Not Found", "text/html", b"<p>nope</p>"))
        headers = [("Content-Type", kind), *HEADERS]
        if break_ == "headers" and path == "/static/site.css":
            headers = [("Content-Type", kind)]
        if break_ == "redirect" and path == "/":
            status, headers = "301 Moved Permanently", [("Location", "https://x/"), *HEADERS]
        if break_ == "html-404" and path.startswith("/api/"):
            headers[0] = ("Content-Type", "text/html")
        start_response(status, headers)
        return [body]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve() -> Iterator:
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_contract_keeping_server_passes_every_probe(serve):
    passed = probe_contract(serve(contract_app()))
    assert passed[0] == "/ 200 text/html"
    assert "/static/site.css 200 text/css" in passed
    assert len(passed) == 6


@pytest.mark.parametrize(
    ("break_", "message"),
    [
        ("headers", "missing security headers"),
        ("redirect", "status 301, expected 200"),
        ("html-404", "content type 'text/html', expected 'application/json'"),
    ],
)
def test_each_broken_promise_is_reported(serve, break_, message):
    with pytest.raises(ProbeFailed, match=message):
        probe_contract(serve(contract_app(break_)))


def test_stylesheet_links_reads_only_stylesheets():
    html = '<link rel="icon" href="/f.ico"><link rel="preload stylesheet" href="/a.css">'
    assert stylesheet_links(html) == ["/a.css"]


def notes_app(break_: str = ""):
    """A minimal in-memory notes API that keeps (or, with break_, breaks) the contract."""
    notes: dict[int, dict] = {}
    counter = iter(range(1, 10**6))

    def app(environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        status, body, kind = "404 Not Found", {"error": "not found"}, "application/json"
        if path == "/healthz":
            status, body = "200 OK", {"status": "ok", "database": "ok"}
        elif path == "/api/notes" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            data = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not data.get("title"):
                status, body = "422 Unprocessable Entity", {"error": "required", "field": "title"}
            else:
                note = {"id": next(counter), "title": data["title"], "body": data.get("body", "")}
                if break_ != "lost":
                    notes[note["id"]] = note
                status, body = "201 Created", note
        elif path == "/api/notes":
            status, body = "200 OK", {"items": list(notes.values()), "total": len(notes)}
        elif path.startswith("/api/notes/"):
            note_id = int(path.rsplit("/", 1)[1])
            if note_id in notes and method == "DELETE":
                del notes[note_id]
                start_response("204 No Content", list(HEADERS))
                return [b""]
            if note_id in notes:
                status, body = "200 OK", notes[note_id]
        elif path == "/notes":
            escape = (lambda t: t) if break_ == "unescaped" else html.escape
            titles = "".join(f"<li>{escape(n['title'])}</li>" for n in notes.values())
            status, body, kind = "200 OK", f"<ul>{titles}</ul>", "text/html"
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        start_response(status, [("Content-Type", kind), *HEADERS])
        return [payload]

    return app


def test_notes_probes_pass_against_a_keeping_api(serve):
    base = serve(notes_app())
    note_id, passed = probe_notes(base, "hello <&>")
    assert note_title(base, note_id) == "hello <&>"
    assert "DELETE /api/notes/<id> 204, then 404" in passed


def test_notes_probes_catch_an_unescaped_title(serve):
    with pytest.raises(ProbeFailed, match="not HTML-escaped"):
        probe_notes(serve(notes_app("unescaped")), "hello <&>")


def test_notes_probes_catch_a_note_that_was_not_stored(serve):
    with pytest.raises(ProbeFailed, match="404, expected 200"):
        probe_notes(serve(notes_app("lost")), "hello")
