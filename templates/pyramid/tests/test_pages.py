"""The HTML side: the home page and its static stylesheet."""

import re

import webtest


def test_home_renders_the_template(app: webtest.TestApp) -> None:
    response = app.get("/")
    assert response.status_int == 200
    assert response.content_type == "text/html"
    assert "<h1>It works!</h1>" in response.text
    assert response.html.find("a", href="/api/hello?name=Ada") is not None


def test_home_links_the_stylesheet_which_is_served(app: webtest.TestApp) -> None:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)">', app.get("/").text)
    assert match is not None
    assert match.group(1) == "/static/css/site.css"
    css = app.get(match.group(1))
    assert css.status_int == 200
    assert css.content_type == "text/css"
    assert "max-age=3600" in css.headers["Cache-Control"]


def test_home_takes_only_get(app: webtest.TestApp) -> None:
    response = app.put("/", status=405)
    assert response.content_type == "text/html"
    assert response.headers["Allow"] == "GET, HEAD"
    assert "Method not allowed" in response.text
