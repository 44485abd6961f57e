"""Shared fixtures. pytest-django provides `client`, `settings` and the database fixtures."""

import pytest
from django.test import Client
from pytest_django import Settings


@pytest.fixture
def failing_routes(settings: Settings) -> None:
    """Serve tests/urls.py: the project's routes plus /boom and /api/boom, which raise."""
    settings.ROOT_URLCONF = "tests.urls"


@pytest.fixture
def server_client() -> Client:
    """A client that, like a real server, answers 500 instead of re-raising the view's error."""
    return Client(raise_request_exception=False)
