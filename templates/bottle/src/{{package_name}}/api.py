"""JSON API under /api: handlers return dicts, which Bottle serialises to JSON."""

from typing import Any

import bottle

MAX_NAME_LENGTH = 64


def install(app: bottle.Bottle) -> None:
    """Register the API routes on `app`."""

    @app.get("/api/hello", name="hello")
    def hello() -> dict[str, Any]:
        if not bottle.request.environ.get("QUERY_STRING"):  # the usual call: nothing to parse
            return {"message": "Hello, world!"}
        name = bottle.request.query.getunicode("name", default="").strip()
        if len(name) > MAX_NAME_LENGTH:
            bottle.response.status = 400
            return {"error": f"name must be at most {MAX_NAME_LENGTH} characters", "field": "name"}
        return {"message": f"Hello, {name or 'world'}!"}
