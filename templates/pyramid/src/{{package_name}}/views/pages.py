"""HTML pages rendered from Jinja2 templates."""

from pyramid.request import Request
from pyramid.view import view_config


@view_config(route_name="home", request_method="GET", renderer="templates/home.jinja2")
def home(request: Request) -> dict[str, object]:
    """The landing page: the template does the work, so the view returns no data yet."""
    return {}
