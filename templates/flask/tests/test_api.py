"""The JSON API: /api/hello and its validation."""

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Hello, world!"),
        ("?name=Ada", "Hello, Ada!"),
        ("?name=", "Hello, world!"),
        ("?name=%20Ada%20", "Hello, Ada!"),
        ("?name=" + "a" * 64, f"Hello, {'a' * 64}!"),
    ],
)
def test_hello(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/api/hello{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"message": message}


def test_hello_rejects_long_name(client: FlaskClient) -> None:
    response = client.get("/api/hello", query_string={"name": "a" * 65})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.json == {"error": "name must be at most 64 characters", "field": "name"}


def test_a_read_with_a_content_type_is_no_write(client: FlaskClient) -> None:
    """Only writes must send JSON: a GET that names a content type is still answered."""
    response = client.get("/api/hello", headers={"Content-Type": "text/plain"})
    assert response.json == {"message": "Hello, world!"}
