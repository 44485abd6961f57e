"""HTTP probes of a running starter: the routes, content types and security headers the
starter contract promises (docs/starter-contract.md)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from webstarter.errors import ProbeFailed

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
)
# What a TLS-terminating proxy on the same host would add (the client's address is from the
# documentation range: nothing is ever sent there).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer to check, not to follow


_opener = urllib.request.build_opener(_NoRedirects)


def fetch(
    url: str, method: str = "GET", payload: object | None = None, timeout: float = 10.0
) -> Response:
    """Send a request as a proxy would forward it (JSON body if given); HTTP errors are
    responses to check, not exceptions."""
    headers = dict(PROXY_HEADERS)
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers |= {"Content-Type": "application/json", "Accept": "application/json"}
    request = urllib.request.Request(  # noqa: S310 - http URLs built by the harness
        url, data=data, headers=headers, method=method
    )
    try:
        with _opener.open(request, timeout=timeout) as reply:
            return Response(url, reply.status, _lower(reply.headers), reply.read())
    except urllib.error.HTTPError as error:
        return Response(url, error.code, _lower(error.headers), error.read())


def _lower(headers: object) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}  # type: ignore[attr-defined]


class _StylesheetFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            self.hrefs.append(values.get("href") or "")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()  # character references are decoded, as a browser shows them
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    """The text a browser would show for a page (tags dropped, entities decoded)."""
    collector = _TextCollector()
    collector.feed(html)
    return "".join(collector.parts)


def stylesheet_links(html: str) -> list[str]:
    """The hrefs of `<link rel="stylesheet">` tags in a page."""
    finder = _StylesheetFinder()
    finder.feed(html)
    return [href for href in finder.hrefs if href]


def expect(response: Response, status: int, content_type: str) -> None:
    """Check status, content type and the security headers of one response."""
    where = response.url
    if response.status != status:
        raise ProbeFailed(f"{where}: status {response.status}, expected {status}")
    if response.content_type != content_type:
        raise ProbeFailed(
            f"{where}: content type {response.content_type!r}, expected {content_type!r}"
        )
    missing = [name for name in SECURITY_HEADERS if name.lower() not in response.headers]
    if missing:
        raise ProbeFailed(f"{where}: missing security headers {', '.join(missing)}")
    if response.headers.get("x-content-type-options", "").lower() != "nosniff":
        raise ProbeFailed(f"{where}: X-Content-Type-Options is not nosniff")


def _json(response: Response) -> object:
    try:
        return json.loads(response.body)
    except ValueError as error:
        raise ProbeFailed(f"{response.url}: body is not JSON ({error})") from None


def _object(response: Response) -> dict[str, Any]:
    body = _json(response)
    if not isinstance(body, dict):
        raise ProbeFailed(f"{response.url}: expected a JSON object, got {body!r}")
    return body


def probe_contract(base: str) -> list[str]:
    """Probe every route of the contract; return one line per check that passed."""
    passed = []
    page = fetch(base + "/")
    expect(page, 200, "text/html")
    passed.append("/ 200 text/html")
    links = stylesheet_links(page.body.decode("utf-8", "replace"))
    if not links:
        raise ProbeFailed(f'{page.url}: no <link rel="stylesheet"> in the page')
    css = fetch(urljoin(page.url, links[0]))
    expect(css, 200, "text/css")
    passed.append(f"{links[0]} 200 text/css")
    hello = fetch(base + "/api/hello?name=Smoke")
    expect(hello, 200, "application/json")
    body = _json(hello)
    if not isinstance(body, dict) or "Smoke" not in str(body.get("message", "")):
        raise ProbeFailed(f"{hello.url}: unexpected body {body!r}")
    passed.append("/api/hello 200 application/json")
    health = fetch(base + "/healthz")
    expect(health, 200, "application/json")
    if not isinstance(status := _json(health), dict) or status.get("status") != "ok":
        raise ProbeFailed(f"{health.url}: unexpected body {status!r}")
    passed.append("/healthz 200 application/json")
    expect(fetch(base + "/api/no-such-endpoint"), 404, "application/json")
    passed.append("/api/no-such-endpoint 404 application/json")
    expect(fetch(base + "/no-such-page"), 404, "text/html")
    passed.append("/no-such-page 404 text/html")
    return passed


def probe_notes(base: str, title: str) -> tuple[int, list[str]]:
    """The notes resource end to end: create, read (API and HTML page), list, validation, 404,
    delete, and the database in /healthz. Returns the id of a note left in place."""
    passed = []
    health = _object(fetch(base + "/healthz"))
    if health.get("database") != "ok":
        raise ProbeFailed(f"{base}/healthz: no database status in {health!r}")
    passed.append("/healthz reports the database")
    created = fetch(base + "/api/notes", "POST", {"title": title, "body": "written by smoke"})
    expect(created, 201, "application/json")
    note = _object(created)
    if note.get("title") != title or not isinstance(note.get("id"), int):
        raise ProbeFailed(f"{created.url}: unexpected body {note!r}")
    passed.append("POST /api/notes 201")
    if (read_back := note_title(base, note["id"])) != title:
        raise ProbeFailed(f"{base}/api/notes/{note['id']}: title {read_back!r}, not {title!r}")
    passed.append("GET /api/notes/<id> 200")
    listing = _object(fetch(base + "/api/notes"))
    if note["id"] not in [item.get("id") for item in listing.get("items", [])]:
        raise ProbeFailed(f"{base}/api/notes: the new note is not listed")
    passed.append("GET /api/notes lists it")
    page = fetch(base + "/notes")
    expect(page, 200, "text/html")
    html = page.body.decode("utf-8", "replace")
    if title not in page_text(html):
        raise ProbeFailed(f"{base}/notes: the new note is not on the page")
    if title in html:  # the title holds "<&>": shown verbatim it was not escaped
        raise ProbeFailed(f"{base}/notes: the note's title is not HTML-escaped")
    passed.append("GET /notes shows it")
    invalid = fetch(base + "/api/notes", "POST", {"title": ""})
    if invalid.status not in (400, 422) or _object(invalid).get("field") != "title":
        raise ProbeFailed(f"{invalid.url}: an empty title gave {invalid.status}")
    passed.append("POST /api/notes with no title: 4xx naming the field")
    expect(fetch(base + "/api/notes/987654321"), 404, "application/json")
    passed.append("GET /api/notes/<missing> 404")
    doomed = _object(fetch(base + "/api/notes", "POST", {"title": title + " (deleted)"}))
    gone = fetch(f"{base}/api/notes/{doomed['id']}", "DELETE")
    if gone.status != 204 or fetch(f"{base}/api/notes/{doomed['id']}").status != 404:
        raise ProbeFailed(f"{gone.url}: DELETE gave {gone.status}, or the note survived")
    passed.append("DELETE /api/notes/<id> 204, then 404")
    return note["id"], passed


def note_title(base: str, note_id: int) -> str:
    """The title of one note read through the API (the persistence check after a restart)."""
    response = fetch(f"{base}/api/notes/{note_id}")
    expect(response, 200, "application/json")
    return str(_object(response).get("title"))
