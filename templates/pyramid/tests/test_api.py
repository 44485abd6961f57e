"""The JSON side: /api/hello and /healthz."""

import pytest
import webtest


def test_hello_defaults_to_the_world(app: webtest.TestApp) -> None:
    response = app.get("/api/hello")
    assert response.content_type == "application/json"
    assert response.json == {"message": "Hello, world!"}


def test_hello_greets_by_name(app: webtest.TestApp) -> None:
    assert app.get("/api/hello", {"name": "Ada"}).json == {"message": "Hello, Ada!"}


def test_hello_blank_name_greets_the_world(app: webtest.TestApp) -> None:
    assert app.get("/api/hello", {"name": "  "}).json == {"message": "Hello, world!"}


@pytest.mark.parametrize(("length", "status"), [(64, 200), (65, 400)])
def test_hello_limits_the_name_length(app: webtest.TestApp, length: int, status: int) -> None:
    response = app.get("/api/hello", {"name": "a" * length}, status=status)
    assert response.content_type == "application/json"
    if status == 400:
        assert response.json["field"] == "name"
        assert "64" in response.json["error"]


def test_healthz(app: webtest.TestApp) -> None:
    response = app.get("/healthz")
    assert response.content_type == "application/json"
    assert response.json == {"status": "ok"}


def test_healthz_answers_head(app: webtest.TestApp) -> None:
    assert app.head("/healthz").status_int == 200
