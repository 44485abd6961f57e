"""URL dispatch: every route and the static view in one place, pulled in by config.include."""

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    """Register the routes; a new resource (such as a database-backed API) adds its own here."""
    config.add_static_view(name="static", path="static", cache_max_age=3600)
    config.add_route("home", "/")
    config.add_route("healthz", "/healthz")
    config.add_route("api.hello", "/api/hello")
