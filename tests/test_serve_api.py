"""`webstarter serve`'s HTTP API, through the Flask app itself: archives equal to `new --no-git`,
answers checked as `new` checks them, template injection, traversal, metadata, limits."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("flask")

from webstarter.cli import app as cli
from webstarter.questions import load_copier_config
from webstarter.web import renders
from webstarter.web.app import SECURITY_HEADERS, create_app
from webstarter.web.metadata import MEDIA_TYPE

FRAMEWORKS = ["django", "flask", "pyramid", "bottle", "cherrypy"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("scratch")


@pytest.fixture(scope="module")
def client(scratch):
    return create_app(scratch=scratch).test_client()


def generated(runner, tmp_path: Path, folder: str, *args: str) -> dict[str, bytes]:
    """What `webstarter new FOLDER --no-git ...` writes, file by file."""
    dest = tmp_path / folder
    result = runner.invoke(cli, ["new", str(dest), "--defaults", "--no-git", *args])
    assert result.exit_code == 0, result.output
    return {
        path.relative_to(dest).as_posix(): path.read_bytes()
        for path in sorted(dest.rglob("*"))
        if path.is_file()
    }


def unzipped(body: bytes, folder: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        names = [name for name in archive.namelist() if not name.endswith("/")]
        assert all(name.startswith(f"{folder}/") for name in names)
        return {name.removeprefix(f"{folder}/"): archive.read(name) for name in names}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_zip_is_what_new_writes(client, runner, tmp_path, framework):
    response = client.get(f"/starter.zip?framework={framework}")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="demo.zip"'
    expected = generated(runner, tmp_path, "demo", "-f", framework)
    assert unzipped(response.data, "demo") == expected
    assert (
        b"_src_path: https://github.com/webstarter/webstarter-templates.git"
        in (expected[".copier-answers.yml"])
    )


def test_tar_gz_json_and_form_give_the_same_project(client, runner, tmp_path):
    answers = {
        "framework": "flask",
        "project_name": "shop",
        "database": "postgresql",
        "docker": False,
    }
    expected = generated(
        runner,
        tmp_path,
        "shop",
        "-f",
        "flask",
        "--data",
        "project_name=shop",
        "--data",
        "database=postgresql",
        "--data",
        "docker=false",
    )
    as_json = client.post("/starter.zip", json=answers)
    assert as_json.status_code == 200
    assert unzipped(as_json.data, "shop") == expected
    form = {
        key: str(value).lower() if isinstance(value, bool) else value
        for key, value in answers.items()
    }
    as_form = client.post("/starter.tar.gz", data=form)
    assert as_form.status_code == 200
    assert as_form.headers["Content-Disposition"] == 'attachment; filename="shop.tar.gz"'
    with tarfile.open(fileobj=io.BytesIO(as_form.data), mode="r:gz") as archive:
        files = {
            member.name.removeprefix("shop/"): archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.isfile()
        }
    assert files == expected
    assert "Dockerfile" not in files


def test_preview_lists_the_files_and_shows_one(client):
    listing = client.get("/preview?framework=pyramid&database=postgresql")
    assert listing.status_code == 200
    paths = [item["path"] for item in listing.json["files"]]
    assert "development.ini" in paths
    assert listing.json["count"] == len(paths)
    assert listing.json["asked"]["django_admin"] is False
    assert listing.json["defaults"]["description"] == "A Pyramid web service."
    shown = client.get("/preview/pyproject.toml?framework=pyramid&database=postgresql")
    assert shown.status_code == 200
    assert "psycopg" in shown.json["text"]
    assert client.get("/preview/no/such/file?framework=pyramid").status_code == 404


def test_when_conditions_follow_the_answers(client):
    django = client.get("/preview?framework=django&license=proprietary").json["asked"]
    assert django["django_admin"] is True
    assert django["copyright_year"] is False
    no_db = client.get("/preview?framework=django&database=none").json["asked"]
    assert no_db["django_admin"] is False


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("framework=flask&package_name=os", "package_name", "would shadow the standard-library"),
        ("framework=flask&project_name=-x", "project_name", "must start and end with a letter"),
        ("framework=flask&author_email=nope", "author_email", "is not a valid email address"),
        ("framework=flask&license=WTFPL", "license", "Invalid choice for 'license'"),
        ("framework=flask&database=mysql", "database", "Invalid choice for 'database'"),
        ("framework=flask&docker=maybe", "docker", "answer true or false"),
        ("framework=flask&copyright_year=1900", "copyright_year", "between 1970 and 2100"),
        ("framework=flask&colour=blue", "colour", "the template has no such question"),
        ("framework=rails", "framework", "unknown framework 'rails'"),
        ("project_name=x", "framework", "framework is required"),
    ],
)
def test_bad_answers_are_400_naming_the_field(client, query, field, message):
    for url in (f"/starter.zip?{query}", f"/preview?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.mimetype == "application/json"
        assert response.json["field"] == field
        assert message in response.json["message"]


def test_bad_bodies_are_400(client):
    broken = client.post("/starter.zip", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json["field"] == "body"
    listed = client.post("/starter.zip", json=["framework", "flask"])
    assert listed.json["field"] == "body"
    nested = client.post("/starter.zip", json={"framework": "flask", "docker": {"a": 1}})
    assert (nested.status_code, nested.json["field"]) == (400, "docker")
    huge = client.post("/starter.zip", data={"description": "x" * 70_000})
    assert huge.status_code == 413


@pytest.mark.parametrize(
    "payload", ["{{ 7*7 }}", "{% if true %}49{% endif %}x", "{{ ''.__class__ }}"]
)
def test_answers_are_data_never_templates(client, payload):
    answers = {
        "framework": "flask",
        "description": f"Shop {payload}",
        "author_name": f"Ann {payload}",
        "author_email": "a{{7*7}}@example.org",
    }
    response = client.post("/starter.zip", json=answers)
    assert response.status_code == 200, response.json
    files = unzipped(response.data, "demo")
    text = "\n".join(data.decode("utf-8", "replace") for data in files.values())
    assert f"Shop {payload}" in files["README.md"].decode()
    assert f"Ann {payload}" in files["pyproject.toml"].decode() or f"Ann {payload}" in text
    assert "a{{7*7}}@example.org" in text
    assert "Shop 49" not in text
    assert "Ann 49" not in text
    assert "a49@" not in text
    assert "<class 'str'>" not in text
    for name in ("project_name", "package_name"):  # the validators refuse these outright
        refused = client.post("/starter.zip", json={"framework": "flask", name: payload})
        assert (refused.status_code, refused.json["field"]) == (400, name)


@pytest.mark.parametrize(
    "path",
    [
        "/preview/../../etc/passwd",
        "/preview/%2e%2e/%2e%2e/etc/passwd",
        "/preview/src/../../../etc/passwd",
        "/preview/..%2f..%2fetc%2fpasswd",
        "/preview/./README.md",
        "/preview/a%5c..%5cb",
    ],
)
def test_path_traversal_is_refused(client, path):
    response = client.get(f"{path}?framework=flask")
    assert response.status_code == 400
    assert response.json["field"] == "path"
    assert "root:" not in response.get_data(as_text=True)


def test_metadata_matches_copier_yml(client, templates):
    response = client.get("/metadata")
    assert response.status_code == 200
    assert response.mimetype == MEDIA_TYPE
    document = response.json
    config = load_copier_config(templates / "copier.yml")
    asked = {
        name: spec
        for name, spec in config.items()
        if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is not False
    }
    assert [question["name"] for question in document["questions"]] == list(asked)
    for question in document["questions"]:
        spec = asked[question["name"]]
        assert question["type"] == spec.get("type", "str")
        assert question["help"] == spec["help"]
        assert question["default"] == spec.get("default")
        assert question["when"] == spec.get("when", True)
        raw = spec.get("choices") or []
        pairs = raw.items() if isinstance(raw, dict) else ((str(v), v) for v in raw)
        assert [(c["label"], c["value"]) for c in question["choices"]] == [
            (str(label), str(value)) for label, value in pairs
        ]
    assert [fw["key"] for fw in document["frameworks"]] == FRAMEWORKS
    catalog = config["frameworks"]["default"]
    assert document["frameworks"][2]["pros"] == catalog["pyramid"]["pros"]
    assert document["template"]["version"] == "0.2.0"
    assert document["links"]["zip"].startswith("http://localhost/starter.zip")


def test_metadata_etag_and_content_negotiation(client):
    first = client.get("/metadata")
    etag = first.headers["ETag"]
    again = client.get("/metadata", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    plain = client.get("/metadata", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json"
    assert plain.data == first.data
    versioned = client.get("/metadata", headers={"Accept": MEDIA_TYPE})
    assert versioned.mimetype == MEDIA_TYPE
    refused = client.get("/metadata", headers={"Accept": "text/html"})
    assert refused.status_code == 406


def test_terminals_get_usage_and_browsers_the_page(client):
    for headers in ({"User-Agent": "curl/8.5.0", "Accept": "*/*"}, {"Accept": "text/plain"}):
        text = client.get("/", headers=headers)
        assert text.mimetype == "text/plain"
        assert "curl -fsSL -o demo.zip 'http://localhost/starter.zip?framework=django'" in text.text
        assert "pyramid" in text.text
    page = client.get("/?framework=pyramid", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    for fw in ("Django", "Flask", "Pyramid", "Bottle", "CherryPy"):
        assert fw in body
    assert 'id="fw-pyramid" value="pyramid" checked' in body
    assert "<script>" not in body
    assert "style=" not in body


def test_security_headers_on_every_response(client):
    requests = [
        ("GET", "/"),
        ("GET", "/metadata"),
        ("GET", "/static/app.js"),
        ("GET", "/preview?framework=nope"),
        ("GET", "/nowhere"),
        ("DELETE", "/starter.zip"),
    ]
    for method, url in requests:
        with client.open(url, method=method) as response:
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get(name) == value, (url, name)
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json["status"] == 404
    assert client.delete("/starter.zip").status_code == 405


def test_renders_leave_no_temporary_folder(client, scratch):
    client.get("/starter.zip?framework=bottle&project_name=tidy")
    client.get("/starter.zip?framework=bottle&author_email=broken")
    assert list(scratch.iterdir()) == []


def test_renders_are_bounded_and_shared(tmp_path, monkeypatch):
    calls = []
    real = renders.render_starter

    def slow(*args, **kwargs):
        calls.append(args[1].get("project_name"))
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(renders, "render_starter", slow)
    app = create_app(scratch=tmp_path, max_renders=1)
    app.extensions["webstarter"].wait = 0.2
    statuses: list[int] = []

    def download(name: str) -> None:
        statuses.append(
            app.test_client().get(f"/starter.zip?framework=flask&project_name={name}").status_code
        )

    threads = [threading.Thread(target=download, args=(name,)) for name in ("a1", "a2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 503]  # one slot: the second waited 0.2 s and was told so
    calls.clear()
    app.extensions["webstarter"].wait = 30
    same = [threading.Thread(target=download, args=("same",)) for _ in range(4)]
    for thread in same:
        thread.start()
    for thread in same:
        thread.join()
    assert calls == ["same"]  # four identical requests, one render
    assert list(tmp_path.iterdir()) == []


def test_archive_size_is_bounded(tmp_path):
    app = create_app(scratch=tmp_path)
    app.extensions["webstarter"].max_bytes = 50_000
    response = app.test_client().get("/starter.zip?framework=flask&project_name=big")
    assert response.status_code == 413
    assert "exceed" in response.json["message"]
    assert list(tmp_path.iterdir()) == []


def test_a_fork_is_served_and_one_that_runs_code_is_refused(templates, tmp_path, runner):
    import shutil

    fork = tmp_path / "fork"
    shutil.copytree(templates, fork)
    readme = fork / "_shared" / "README.md.jinja"
    readme.write_text("Team fork\n" + readme.read_text())
    (tmp_path / "s").mkdir()
    client = create_app(fork, scratch=tmp_path / "s").test_client()
    listing = client.get("/preview?framework=flask")
    assert listing.status_code == 200
    assert client.get("/metadata").json["template"]["version"].startswith("fork-")
    shown = client.get("/preview/README.md?framework=flask").json["text"]
    assert shown.startswith("Team fork")
    with (fork / "copier.yml").open("a") as config:
        config.write("---\n_tasks:\n  - rm -rf /tmp/nothing\n")
    result = runner.invoke(cli, ["serve", "--template", str(fork), "--port", "1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: --template '{fork}' would run code on this server, which `serve` never does: "
        "task: rm -rf /tmp/nothing"
    ]


def test_serve_without_the_web_extra_names_it():
    code = (
        "import sys; sys.modules['flask'] = None\n"
        "from webstarter.cli import main\n"
        "sys.argv = ['webstarter', 'serve']\n"
        "main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: webstarter serve needs its web extra: pip install 'webstarter[web]'"
    )


def test_a_port_in_use_is_one_line(runner):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: port {port} on 127.0.0.1 is already in use"


def test_serve_help_does_not_import_the_web_stack():
    code = (
        "import sys; from webstarter.cli import app\n"
        "try:\n    app(['serve', '--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('flask', 'granian', 'copier') if m in sys.modules]\n"
        "print(sorted(loaded), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stderr.strip().splitlines()[-1].replace("'", '"')) == []
