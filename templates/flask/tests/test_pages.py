"""The HTML home page and the static stylesheet it links."""

import re

from flask.testing import FlaskClient


def stylesheet_url(html: str) -> str:
    """Return the href of the page's stylesheet link."""
    match = re.search(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert match, "the page links no stylesheet"
    return match.group(1)


def test_index_renders_html(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<h1>" in response.text
    assert "/api/hello?name=Ada" in response.text


def test_linked_stylesheet_is_served(client: FlaskClient) -> None:
    url = stylesheet_url(client.get("/").text)
    assert url == "/static/css/site.css"
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert b"--accent" in response.data
