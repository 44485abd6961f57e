"""The page in a real browser: Playwright driving Debian's Chromium against a real server.

Picks Pyramid and PostgreSQL, watches the file tree follow, opens a file, downloads the zip
and checks that it is the project. A screenshot goes to reports/serve-page.png.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from serve_server import running_server

playwright_api = pytest.importorskip("playwright.sync_api")

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("WEBSTARTER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_pick_preview_open_and_download(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1360, "height": 1000}, accept_downloads=True)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server + "/")
    expect = playwright_api.expect
    expect(page.locator("#status")).to_contain_text("Pick a framework")

    page.locator("label.card", has_text="Pyramid").click()  # the card, as a user clicks it
    expect(page.locator("#status")).to_contain_text("files", timeout=30_000)
    expect(page.locator("#tree")).to_contain_text("development.ini")
    page.get_by_label("PostgreSQL (psycopg 3)").check()
    expect(page).to_have_url(server + "/?framework=pyramid&database=postgresql", timeout=10_000)
    expect(page.locator("#status")).to_contain_text("files", timeout=30_000)
    # the Django-only question stays hidden; the license year shows until 'proprietary'
    expect(page.locator('[data-question="django_admin"]')).to_be_hidden()
    expect(page.locator('[data-question="copyright_year"]')).to_be_visible()

    page.locator("#tree .file", has_text="pyproject.toml").first.click()
    expect(page.locator("#viewer-path")).to_contain_text("pyproject.toml")
    expect(page.locator("#viewer-content")).to_contain_text("psycopg")
    expect(page.locator("#command-new")).to_have_value(
        "webstarter new demo -f pyramid --defaults --no-git --data database=postgresql"
    )
    expect(page.locator("#command-curl")).to_have_value(
        f"curl -fsSL -o demo.zip '{server}/starter.zip?framework=pyramid&database=postgresql'"
    )

    reports = REPO / "reports"
    reports.mkdir(exist_ok=True)
    page.screenshot(path=str(reports / "serve-page.png"), full_page=True)

    with page.expect_download() as waiting:
        page.locator("#download-zip").click()
    download = waiting.value
    assert download.suggested_filename == "demo.zip"
    saved = tmp_path / "demo.zip"
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        names = archive.namelist()
        answers = archive.read("demo/.copier-answers.yml").decode()
        pyproject = archive.read("demo/pyproject.toml").decode()
    assert "demo/src/demo/__init__.py" in names
    assert "framework: pyramid" in answers
    assert "database: postgresql" in answers
    assert "pyramid" in pyproject
    assert "psycopg" in pyproject
    assert problems == []


def test_a_refused_answer_is_shown_beside_its_field(server, browser):
    page = browser.new_page(viewport={"width": 420, "height": 900})  # a narrow screen
    page.goto(server + "/?framework=flask")
    expect = playwright_api.expect
    expect(page.locator("#status")).to_contain_text("files", timeout=30_000)
    page.locator("#q-package_name").fill("os")
    expect(page.locator("#error-package_name")).to_contain_text(
        "would shadow the standard-library module", timeout=30_000
    )
    expect(page.locator("#download-zip")).to_have_attribute("aria-disabled", "true")
    page.locator("#q-package_name").fill("shop")
    expect(page.locator("#error-package_name")).to_be_empty(timeout=30_000)
    page.keyboard.press("Tab")  # keyboard: focus moves on through the form
    page.screenshot(path=str(REPO / "reports" / "serve-page-narrow.png"), full_page=True)
