"""The JSON API and its JSON error responses."""

import logging

import pytest
import webtest


def test_hello_defaults_to_world(client: webtest.TestApp) -> None:
    response = client.get("/api/hello")
    assert response.content_type == "application/json"
    assert response.json == {"message": "Hello, world!"}


def test_hello_greets_by_name(client: webtest.TestApp) -> None:
    response = client.get("/api/hello", {"name": "Ada"})
    assert response.json == {"message": "Hello, Ada!"}


def test_hello_accepts_64_characters(client: webtest.TestApp) -> None:
    response = client.get("/api/hello", {"name": "a" * 64})
    assert response.json == {"message": f"Hello, {'a' * 64}!"}


@pytest.mark.parametrize("query", [{"name": "a" * 65}, [("name", "Ada"), ("name", "Bob")]])
def test_hello_rejects_bad_name(client: webtest.TestApp, query: object) -> None:
    response = client.get("/api/hello", query, status=400)
    assert response.content_type == "application/json"
    assert response.json["field"] == "name"
    assert "64" in response.json["error"]


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/api/hello/extra"])
def test_unknown_api_path_is_json_404(client: webtest.TestApp, path: str) -> None:
    response = client.get(path, status=404)
    assert response.content_type == "application/json"
    assert response.json == {"error": "not found"}


def test_api_server_error_is_json_500_and_logged(
    client: webtest.TestApp, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/boom", status=500)
    assert response.content_type == "application/json"
    assert response.json == {"error": "internal server error"}
    assert "must not leak" not in response.text
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors
    assert "must not leak" in caplog.text
