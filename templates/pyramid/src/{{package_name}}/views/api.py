"""JSON endpoints under /api, and the health check for load balancers."""

from pyramid.request import Request
from pyramid.view import view_config

MAX_NAME_LENGTH = 64


@view_config(route_name="api.hello", request_method="GET", renderer="json")
def hello(request: Request) -> dict[str, str]:
    """Greet ``?name=`` (the world by default); an overlong name is a client error."""
    name = request.GET.get("name", "").strip()
    if len(name) > MAX_NAME_LENGTH:
        request.response.status_int = 400
        return {"error": f"name must be at most {MAX_NAME_LENGTH} characters", "field": "name"}
    return {"message": f"Hello, {name or 'world'}!"}


@view_config(route_name="healthz", request_method="GET", renderer="json")
def healthz(request: Request) -> dict[str, str]:
    """Liveness check: it touches nothing that could be down, so it answers while the app runs."""
    return {"status": "ok"}
