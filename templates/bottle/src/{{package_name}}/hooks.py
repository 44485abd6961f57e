"""Request hooks.

The security headers come from security.SecurityHeadersMiddleware around the whole app (see
app.py), which covers error pages too: Bottle replaces a response's headers when a route
raises, after its hooks have run.
"""

import bottle


def close_request_body() -> None:
    """Close the copy of the request body Bottle keeps (a temporary file when it is large).

    Runs as an after_request hook, which Bottle runs whether the route returned or raised;
    without it the file stays open until the garbage collector finds it.
    """
    body = bottle.request.environ.get("bottle.request.body")
    if body is not None:
        body.close()
