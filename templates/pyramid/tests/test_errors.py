"""Error pages: JSON under /api, HTML elsewhere, and a traceback only when DEBUG is on."""

from collections.abc import Callable

import pytest
import webtest

AppFactory = Callable[[], webtest.TestApp]


def test_unknown_api_path_is_json_404(app: webtest.TestApp) -> None:
    response = app.get("/api/nope", status=404)
    assert response.content_type == "application/json"
    assert response.json == {"error": "not found"}


def test_unknown_page_is_html_404(app: webtest.TestApp) -> None:
    response = app.get("/nope", status=404)
    assert response.content_type == "text/html"
    assert "Page not found" in response.text


def test_unknown_static_file_is_html_404(app: webtest.TestApp) -> None:
    assert "Page not found" in app.get("/static/nope.css", status=404).text


def test_api_error_is_json_500_without_details(make_test_app: AppFactory) -> None:
    response = make_test_app().get("/api/boom", status=500)
    assert response.content_type == "application/json"
    assert response.json == {"error": "internal server error"}


def test_page_error_is_html_500_without_traceback(make_test_app: AppFactory) -> None:
    response = make_test_app().get("/boom", status=500)
    assert response.content_type == "text/html"
    assert "Server error" in response.text
    assert "Traceback" not in response.text
    assert "kaboom" not in response.text


def test_errors_are_logged(make_test_app: AppFactory, caplog: pytest.LogCaptureFixture) -> None:
    make_test_app().get("/boom", status=500)
    assert "unhandled exception on GET /boom" in caplog.text
    assert "kaboom" in caplog.text


def test_debug_mode_shows_the_traceback(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "true")
    app = make_test_app()
    page = app.get("/boom", status=500)
    assert "Traceback (most recent call last)" in page.text
    assert "kaboom" in page.text
    api = app.get("/api/boom", status=500)
    assert api.json["error"] == "internal server error"
    assert "kaboom" in api.json["traceback"]
