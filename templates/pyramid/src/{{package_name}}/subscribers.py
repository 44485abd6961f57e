"""Event subscribers, found by config.scan()."""

from pyramid.events import NewResponse, subscriber

from .security import SECURITY_HEADERS


@subscriber(NewResponse)
def add_security_headers(event: NewResponse) -> None:
    """Harden every response the router returns: pages, JSON, static files and error pages.

    A view that sets one of these headers itself keeps its own value.
    """
    for name, value in SECURITY_HEADERS.items():
        event.response.headers.setdefault(name, value)
