"""Error responses: JSON under /api/, HTML elsewhere, and never a traceback."""

import pytest
from django.test import Client

from tests.urls import EXCEPTION_MESSAGE


def test_unknown_api_path_answers_json_404(client: Client) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "not found"}


def test_unknown_page_answers_html_404(client: Client) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


@pytest.mark.usefixtures("failing_routes")
def test_api_error_answers_json_500(server_client: Client) -> None:
    response = server_client.get("/api/boom")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "internal server error"}


@pytest.mark.usefixtures("failing_routes")
def test_page_error_answers_html_500_without_traceback(server_client: Client) -> None:
    response = server_client.get("/boom")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Server error" in body
    assert "Traceback" not in body
    assert EXCEPTION_MESSAGE not in body


@pytest.mark.usefixtures("failing_routes")
def test_server_error_is_logged(server_client: Client, caplog: pytest.LogCaptureFixture) -> None:
    server_client.get("/boom")
    assert any(record.exc_info for record in caplog.records if record.name == "django.request")


def test_a_form_post_without_a_csrf_token_is_an_html_403() -> None:
    response = Client(enforce_csrf_checks=True).post("/", {"field": "value"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Forbidden" in response.content.decode()


def test_a_post_under_api_is_a_405_before_any_csrf_check() -> None:
    response = Client(enforce_csrf_checks=True).post("/api/hello")
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
