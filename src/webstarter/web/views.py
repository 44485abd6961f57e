"""The routes of `webstarter serve`: the page, its metadata, previews and archives."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from webstarter.errors import AnswerError
from webstarter.questions import Question
from webstarter.web import answers as checked
from webstarter.web.archives import FORMATS, archive
from webstarter.web.metadata import ACCEPTED, MEDIA_TYPE, encoded, metadata
from webstarter.web.preview import check_path, file_content, file_list
from webstarter.web.renders import Rendered, Renderer
from webstarter.web.source import ServedTemplate
from webstarter.web.usage import usage_text

blueprint = Blueprint("webstarter", __name__)
TERMINAL_AGENTS = ("curl/", "httpie/", "wget/", "xh/")


def _renderer() -> Renderer:
    renderer: Renderer = current_app.extensions["webstarter"]
    return renderer


def _template() -> ServedTemplate:
    return _renderer().template


def _base_url() -> str:
    return request.host_url.rstrip("/")


def json_response(document: Any, status: int = 200) -> Response:
    return Response(json.dumps(document, default=str), status, mimetype="application/json")


def request_items() -> list[tuple[str, str]]:
    """The answers a request carries: query parameters, then form fields or a JSON object."""
    items = list(request.args.items(multi=True))
    if request.method == "POST":
        if request.is_json:
            body = request.get_json(silent=True)
            if body is None:
                raise AnswerError("body", "the body is not valid JSON")
            items += checked.json_items(body)
        else:
            items += list(request.form.items(multi=True))
    return items


def _render() -> tuple[Rendered, dict[str, str]]:
    answers = checked.check(request_items(), _template())
    return _renderer().render(answers), answers


def _wants_text() -> bool:
    agent = request.headers.get("User-Agent", "").lower()
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"])
    explicit_html = any(value == "text/html" for value, _ in request.accept_mimetypes)
    return best == "text/plain" or (agent.startswith(TERMINAL_AGENTS) and not explicit_html)


@blueprint.get("/")
def page() -> Response | str:
    """The page, or plain-text usage for a terminal (curl, HTTPie, `Accept: text/plain`)."""
    template = _template()
    if _wants_text():
        return Response(usage_text(template, _base_url()), mimetype="text/plain")
    questions = template.questions()
    given = {key: value for key, value in request.args.items() if key in questions}
    return render_template(
        "index.html",
        version=template.version,
        frameworks=template.catalog(),
        questions=list(questions.values()),
        given=given,
        asked=checked.asked(questions, given),
        defaults=checked.rendered_defaults(questions, given, template.computed()),
        form_defaults={name: _form_default(question) for name, question in questions.items()},
    )


def _form_default(question: Question) -> str:
    """A default as the form sends it (`true`/`false` for a bool); a Jinja default is left
    to the server (empty: the field then shows it as its placeholder)."""
    default = question.default
    if question.type == "bool":
        return "true" if default in (True, "true", "yes", "1") else "false"
    if default is None or "{" in str(default):
        return ""
    return str(default)


@blueprint.get("/metadata")
def metadata_document() -> Response:
    """Frameworks, questions, template version and links; ETag and content-type versioned."""
    offered = request.accept_mimetypes.best_match([*ACCEPTED, "application/*"])
    if request.accept_mimetypes and offered is None:
        return json_response(
            {"status": 406, "message": f"this server speaks {MEDIA_TYPE} (or application/json)"},
            406,
        )
    body, etag = encoded(metadata(_template(), _base_url()))
    mimetype = "application/json" if offered == "application/json" else MEDIA_TYPE
    headers = {"Cache-Control": "no-cache", "Vary": "Accept"}
    response = Response(body, mimetype=mimetype, headers=headers)
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    response.set_etag(etag)
    return response


def _download(kind: str) -> Response:
    rendered, _ = _render()
    content_type, suffix = FORMATS[kind]
    filename = f"{rendered.folder}{suffix}".replace('"', "")
    return Response(
        archive(rendered, kind),
        mimetype=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.route("/starter.zip", methods=["GET", "POST"])
def starter_zip() -> Response:
    """The project as a zip, byte for byte what `webstarter new --no-git` writes."""
    return _download("zip")


@blueprint.route("/starter.tar.gz", methods=["GET", "POST"])
def starter_tar_gz() -> Response:
    """The project as a gzipped tar."""
    return _download("tar.gz")


@blueprint.route("/preview", methods=["GET", "POST"])
def preview() -> Response:
    """The files the answers would generate, which questions copier would ask, and the
    defaults it would offer; a refused answer is a 400 that still says what is asked."""
    questions = _template().questions()
    items = request_items()
    known = {key: value for key, value in items if key in questions}
    state = {
        "asked": checked.asked(questions, known),
        "defaults": checked.rendered_defaults(questions, known, _template().computed()),
    }
    try:
        answers = checked.check(items, _template())
        rendered = _renderer().render(answers)
    except AnswerError as error:
        return json_response(
            {"status": 400, "field": error.field, "message": error.reason, **state}, 400
        )
    return json_response({**file_list(rendered), **state, "answers": rendered.answers})


@blueprint.route("/preview/<path:name>", methods=["GET", "POST"])
def preview_file(name: str) -> Response:
    """One generated file's rendered content, as JSON."""
    check_path(name)  # traversal is refused before anything renders
    rendered, _ = _render()
    shown = file_content(rendered, name)
    if shown is None:
        return json_response({"status": 404, "message": f"the project has no file '{name}'"}, 404)
    return json_response(shown)


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it whatever the page links: the same icon."""
    return current_app.send_static_file("favicon.svg")


@blueprint.get("/healthz")
def healthz() -> Response:
    """Liveness for a load balancer: the template is readable."""
    return json_response({"status": "ok", "template": _template().version})
