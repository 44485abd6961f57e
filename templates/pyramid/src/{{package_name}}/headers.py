"""The security headers, added by the outermost tween (``config.include(".headers")``)."""

from collections.abc import Callable

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import INGRESS

from .security import HEADER_PAIRS

HEADER_NAMES = frozenset(lower for lower, _ in HEADER_PAIRS)
ALL_HEADERS = [pair for _, pair in HEADER_PAIRS]

Handler = Callable[[Request], Response]


def security_headers_tween_factory(handler: Handler, registry: Registry) -> Handler:
    """Harden every response the router returns: pages, JSON, static files and error pages.

    A view that sets one of these headers itself keeps its own value. One pass over the
    response's header names, where a NewResponse subscriber would pay for the event and a
    lookup of each name.
    """

    def add_security_headers(request: Request) -> Response:
        response = handler(request)
        headers = response.headerlist
        present = {name.lower() for name, _ in headers}
        if present.isdisjoint(HEADER_NAMES):
            headers.extend(ALL_HEADERS)  # the usual case: the view set none of them
        else:
            headers.extend(pair for lower, pair in HEADER_PAIRS if lower not in present)
        return response

    return add_security_headers


def includeme(config: Configurator) -> None:
    config.add_tween(f"{__name__}.security_headers_tween_factory", under=INGRESS)
