"""The project's URLconf plus two routes that raise, for the 500 handler tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls

EXCEPTION_MESSAGE = "a detail that must never reach the client"


def fail(request: HttpRequest) -> HttpResponse:
    """Raise an unhandled exception, as a bug in a view would."""
    raise RuntimeError(EXCEPTION_MESSAGE)


handler400 = project_urls.handler400
handler404 = project_urls.handler404
handler500 = project_urls.handler500
urlpatterns = [
    path("boom", fail),
    path("api/boom", fail),
    *project_urls.urlpatterns,
]
