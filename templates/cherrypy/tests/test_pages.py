"""HTML pages, the static stylesheet and HTML error pages."""

import pytest
import webtest


def test_index_renders_template_linking_stylesheet(client: webtest.TestApp) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html"
    assert "<h1>" in response.text
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.text


def test_stylesheet_is_served_as_static_file(client: webtest.TestApp) -> None:
    href = client.get("/").html.find("link", rel="stylesheet")["href"]
    response = client.get(href)
    assert response.status_code == 200
    assert response.content_type == "text/css"
    assert "--accent" in response.text


def test_healthz(client: webtest.TestApp) -> None:
    response = client.get("/healthz")
    assert response.content_type == "application/json"
    assert response.json == {"status": "ok"}


@pytest.mark.parametrize("path", ["/nope", "/static/nope.css"])
def test_unknown_page_is_html_404(client: webtest.TestApp, path: str) -> None:
    response = client.get(path, status=404)
    assert response.content_type == "text/html"
    assert "404 Not Found" in response.text
    assert "/static/css/site.css" in response.text


def test_error_page_escapes_the_path(client: webtest.TestApp) -> None:
    response = client.get("/<script>", status=404)
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_server_error_is_html_500_without_traceback(client: webtest.TestApp) -> None:
    response = client.get("/boom", status=500)
    assert response.content_type == "text/html"
    assert "500 Internal Server Error" in response.text
    assert "Traceback" not in response.text
    assert "must not leak" not in response.text


def test_debug_server_error_shows_traceback(debug_client: webtest.TestApp) -> None:
    response = debug_client.get("/boom", status=500)
    assert "Traceback" in response.text
    assert "RuntimeError: boom: a detail that must not leak" in response.text
