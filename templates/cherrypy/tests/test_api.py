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


@pytest.mark.parametrize("method", ["DELETE", "POST", "PUT", "PATCH", "TRACE", "OPTIONS"])
def test_other_methods_on_hello_are_json_405_with_allow(
    client: webtest.TestApp, method: str
) -> None:
    response = client.request(
        "/api/hello", method=method, headers={"X-Secret": "echo?"}, status=405
    )
    assert response.content_type == "application/json"
    assert response.json == {"error": "method not allowed"}
    assert response.headers["Allow"] == "GET, HEAD"
    assert "echo?" not in response.text


def test_head_on_hello_is_allowed(client: webtest.TestApp) -> None:
    assert client.head("/api/hello").status_code == 200


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("/api/hello?name=%ff", "query string is not valid UTF-8"),
        ("/api/hello?name=%ed%a0%80", "query string is not valid UTF-8"),  # a surrogate
        ("/api/hello?%ff=x", "query string is not valid UTF-8"),
        ("/api/%ff", "path is not valid UTF-8"),
    ],
)
def test_undecodable_url_is_json_400(client: webtest.TestApp, url: str, error: str) -> None:
    response = client.get(url, status=400)
    assert response.content_type == "application/json"
    assert response.json == {"error": error}


def test_utf8_query_is_accepted(client: webtest.TestApp) -> None:
    assert client.get("/api/hello?name=Ad%C3%A0").json == {"message": "Hello, Adà!"}


def test_foreign_host_is_json_400(client: webtest.TestApp) -> None:
    response = client.get("/api/hello", headers={"Host": "evil.example"}, status=400)
    assert response.content_type == "application/json"
    assert response.json == {"error": "host header names a host this site does not serve"}
