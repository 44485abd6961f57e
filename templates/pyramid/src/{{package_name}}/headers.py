"""The security headers, added by the outermost tween (``config.include(".headers")``)."""

from collections.abc import Callable

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import INGRESS

from .security import first, missing_security_headers

Handler = Callable[[Request], Response]


def security_headers_tween_factory(handler: Handler, registry: Registry) -> Handler:
    """Harden every response the router returns: pages, JSON, static files and error pages.

    A view that sets one of these headers itself keeps its own value. One pass over the
    response's header names, in C, where a NewResponse subscriber would pay for the event and
    a lookup of each name.
    """

    def add_security_headers(request: Request) -> Response:
        response = handler(request)
        headers = response.headerlist
        headers.extend(missing_security_headers(map(first, headers)))
        return response

    return add_security_headers


def includeme(config: Configurator) -> None:
    config.add_tween(f"{__name__}.security_headers_tween_factory", under=INGRESS)
