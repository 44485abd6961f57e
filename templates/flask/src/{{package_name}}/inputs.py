"""Strict input: what the app cannot read is a 4xx naming the problem, never a 500.

Werkzeug is lenient on purpose: it decodes bad percent-escapes and form bodies with
replacement characters, and JSON in whatever Unicode encoding the bytes look like. This app
takes UTF-8 only and says so, before any view (or the CSRF check) reads the request (the
app uses the Request and JSONProvider classes below, and checks.py runs the checks):

- the path and the query string must decode as UTF-8 (`%ff` is a 400);
- form bodies: a charset other than UTF-8 is a 415, bytes that are not UTF-8 a 400, and a
  multipart body without its boundary a 400;
- `request.get_json()`: a body that is not application/json is a 415, a charset other than
  UTF-8 a 415, and a body that is not UTF-8, not JSON, nested too deeply or holding a lone
  UTF-16 surrogate (JSON "\\ud800", which no database can store) a 400;
- a body the server cannot deliver (e.g. malformed chunked encoding) is a 400: Werkzeug's
  ClientDisconnected, which errors.py answers with a message.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any
from urllib.parse import unquote_to_bytes

from flask import Request as FlaskRequest
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, ClientDisconnected, UnsupportedMediaType
from werkzeug.utils import cached_property

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class ServerInput:
    """The server's `wsgi.input`, whose errors while reading the body are all OSError.

    gunicorn raises its own exceptions for a malformed chunked body (InvalidChunkSize,
    ChunkMissingTerminator), which are no OSError: Werkzeug would let them through as a 500.
    As OSError they become Werkzeug's ClientDisconnected, a 400.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def read(self, *args: Any) -> bytes:
        return self.guard(self.stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self.guard(self.stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self.guard(self.stream.readlines, *args)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    @staticmethod
    def guard(method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except Exception as error:
            raise OSError(f"the request body could not be read: {error}") from error


def is_utf8(charset: str | None) -> bool:
    """No charset (the body is then UTF-8) or one that names UTF-8 ("UTF-8", "utf8")."""
    return charset is None or charset.strip().lower().replace("-", "") == "utf8"


def decodes(data: bytes) -> bool:
    """Whether the bytes are UTF-8 (which also excludes encoded surrogates)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def wsgi_bytes(value: str) -> bytes:
    """A WSGI environ string back to the bytes the client sent (PEP 3333: latin-1)."""
    return value.encode("latin-1", "replace")


def check_request_line(environ: Mapping[str, Any]) -> None:
    """Refuse a path or query string that is not UTF-8, which Werkzeug would decode leniently."""
    path = environ.get("PATH_INFO", "")
    # ASCII is UTF-8 already: only a path with other bytes, or a query with escapes, is decoded.
    if not path.isascii() and not decodes(wsgi_bytes(path)):
        raise BadRequest("the path is not valid UTF-8: check its percent-escapes")
    query = environ.get("QUERY_STRING", "")
    if (not query.isascii() or "%" in query) and not decodes(unquote_to_bytes(wsgi_bytes(query))):
        raise BadRequest("the query string is not valid UTF-8: check its percent-escapes")


def check_form_body(request: FlaskRequest) -> None:
    """Refuse a form body that is not UTF-8, or a multipart body without its boundary."""
    if request.mimetype not in (URLENCODED, MULTIPART):
        return
    if not is_utf8(request.mimetype_params.get("charset")):
        raise UnsupportedMediaType("form body charset must be utf-8")
    if request.mimetype == MULTIPART and not request.mimetype_params.get("boundary"):
        raise BadRequest("multipart body has no boundary")
    body = request.get_data()  # read once (at most MAX_CONTENT_LENGTH); the form parser reuses it
    if request.mimetype == URLENCODED and not decodes(unquote_to_bytes(body)):
        raise BadRequest("form body is not valid UTF-8")


class Request(FlaskRequest):
    """Flask's request with get_json errors that name the problem, in production too, and
    the server's body stream read through ServerInput."""

    @cached_property
    def stream(self) -> IO[bytes]:
        """Werkzeug's guarded body stream, over the server's stream as a ServerInput (made
        only when something reads the body: most requests have none)."""
        self.environ["wsgi.input"] = ServerInput(self.environ["wsgi.input"])  # PEP 3333
        return super().stream

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if (force or self.is_json) and not is_utf8(self.mimetype_params.get("charset")):
            if silent:
                return None
            raise UnsupportedMediaType("request body charset must be utf-8")
        return super().get_json(force=force, silent=silent, cache=cache)

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Flask hides the reason outside debug mode; a client needs it to fix its request."""
        if e is None:
            raise UnsupportedMediaType("request body must be application/json")
        raise BadRequest(f"request body is not valid JSON: {e}")

    def get_data(self, *args: Any, **kwargs: Any) -> Any:
        """The body; the server failing to read it (bad chunked encoding) is the client's error.

        Werkzeug's stream already says so while MAX_CONTENT_LENGTH limits it; this covers
        FLASK_MAX_CONTENT_LENGTH=null, where the server's stream is read directly.
        """
        try:
            return super().get_data(*args, **kwargs)
        except OSError:  # see ServerInput
            raise ClientDisconnected() from None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, read strictly: UTF-8 only, bounded nesting, no lone surrogates."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if isinstance(s, bytes | bytearray):
            try:
                s = s.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(f"not UTF-8 (at byte {error.start})") from None
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None
        if any(not decodes_back(text) for text in strings(value)):
            raise ValueError("a string holds a lone UTF-16 surrogate (like \\ud800)")
        return value


def decodes_back(text: str) -> bool:
    """Whether the string is valid Unicode, i.e. has no lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def strings(value: object) -> Iterator[str]:
    """Every string in decoded JSON, keys included, without recursing (it may be deep)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
