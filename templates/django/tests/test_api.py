"""The JSON greeting API."""

import pytest
from django.test import Client


def test_hello_greets_the_world_by_default(client: Client) -> None:
    response = client.get("/api/hello")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "Hello, world!"}


@pytest.mark.parametrize(("name", "message"), [("Ada", "Hello, Ada!"), ("", "Hello, world!")])
def test_hello_greets_by_name(client: Client, name: str, message: str) -> None:
    response = client.get("/api/hello", {"name": name})
    assert response.status_code == 200
    assert response.json() == {"message": message}


def test_hello_accepts_a_64_character_name(client: Client) -> None:
    response = client.get("/api/hello", {"name": "a" * 64})
    assert response.status_code == 200


def test_hello_rejects_a_name_over_64_characters(client: Client) -> None:
    response = client.get("/api/hello", {"name": "a" * 65})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["field"] == "name"
    assert "64" in body["error"]


def test_hello_rejects_post(client: Client) -> None:
    response = client.post("/api/hello")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {"error": "method not allowed"}
