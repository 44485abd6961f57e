"""Static files from the package's ``static/`` folder, at /static/... for GET and HEAD only.

WebOb reads a file response's conditional headers (Range, If-Modified-Since...) only when the
response is sent, after Pyramid's error views have had their turn, and a few malformed values
make it raise there (a Range of 5,000 digits, a date in the year 99999). They are checked here
first: an unreadable date is ignored, as HTTP says; a malformed Range is a 400 and one past the
end of the file a 416, both on the site's own error page.
"""

import re
from pathlib import Path
from typing import Any

from pyramid.request import Request
from pyramid.response import Response
from pyramid.static import static_view
from pyramid.view import view_config

from .errors import ClientError

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
CACHE_MAX_AGE = 3600
serve_file = static_view(str(STATIC_DIR), cache_max_age=CACHE_MAX_AGE, use_subpath=True)

# One range (bytes=0-99, bytes=100-, bytes=-100), with no more digits than a file size needs.
ONE_RANGE = re.compile(r"bytes=(?:[0-9]{1,15}-[0-9]{0,15}|-[0-9]{1,15})", re.IGNORECASE)
DATE_HEADERS = {
    "If-Modified-Since": "if_modified_since",
    "If-Unmodified-Since": "if_unmodified_since",
    "If-Range": "if_range",
}


@view_config(route_name="static", request_method="GET")
def static_file(context: Any, request: Request) -> Response:
    """Serve the file the rest of the path names (404 if none), once its headers are sane."""
    for header, attribute in DATE_HEADERS.items():
        try:
            getattr(request, attribute)
        except (ValueError, OverflowError):
            del request.headers[header]
    ranges = request.headers.get("Range")
    if ranges is not None:
        if "," in ranges:
            del request.headers["Range"]  # several ranges: HTTP lets us send the whole file
        elif not ONE_RANGE.fullmatch(ranges.replace(" ", "")):
            raise ClientError(400, "the Range header is malformed")
    response = serve_file(context, request)
    wanted = request.range
    if (
        wanted is not None
        and response.status_int == 200
        and response in request.if_range
        and wanted.content_range(response.content_length) is None
    ):
        response.app_iter.close()
        raise ClientError(416, "the Range header asks for bytes past the end of the file")
    return response
