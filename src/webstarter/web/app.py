"""The Flask application of `webstarter serve`: its factory, error answers and headers.

Every error is JSON with the status and a message (a refused answer also names its field);
nothing ever shows a traceback. Every response, errors included, carries the security
headers below, with a Content-Security-Policy that allows this server's own files only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from webstarter.errors import AnswerError, UsageError, WebstarterError
from webstarter.web.renders import Busy, Renderer, TooLarge
from webstarter.web.source import open_template
from webstarter.web.views import blueprint, json_response

TEMPLATE_ENV = "WEBSTARTER_SERVE_TEMPLATE"  # how `serve --template` reaches the workers
MAX_RENDERS_ENV = "WEBSTARTER_SERVE_MAX_RENDERS"
MAX_BODY = 64 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

log = logging.getLogger("webstarter.serve")


def create_app(
    template: Path | None = None, *, max_renders: int = 2, scratch: Path | None = None
) -> Flask:
    """The app serving the installed templates, or the safe fork at `template`."""
    served = open_template(template)
    app = Flask(__name__, static_folder="static", template_folder="pages")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.jinja_env.globals["zip"] = zip
    app.extensions["webstarter"] = Renderer(served, max_renders=max_renders, scratch=scratch)
    app.register_blueprint(blueprint)
    _install_error_answers(app)
    app.after_request(_secure)
    return app


def app_from_environment() -> Flask:
    """The factory granian calls in its worker: options come through the environment."""
    folder = os.environ.get(TEMPLATE_ENV)
    return create_app(
        Path(folder) if folder else None,
        max_renders=int(os.environ.get(MAX_RENDERS_ENV) or 2),
    )


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype != "text/css" and response.mimetype != "text/javascript":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _install_error_answers(app: Flask) -> None:
    @app.errorhandler(AnswerError)
    def refused(error: AnswerError) -> Response:
        return json_response(
            {"status": 400, "field": error.field, "message": error.reason}, status=400
        )

    @app.errorhandler(Busy)
    def busy(error: Busy) -> Response:
        response = json_response({"status": 503, "message": error.message}, status=503)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(TooLarge)
    def too_large(error: TooLarge) -> Response:
        return json_response({"status": 413, "message": error.message}, status=413)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        return json_response({"status": status, "message": error.description}, status=status)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        from webstarter.template_errors import explain

        known = explain(error)
        if isinstance(known, UsageError) and not isinstance(error, WebstarterError):
            # copier or Jinja choking on the served template (a fork's bug), not on input
            log.error("the template failed to render: %s", known.message)
            return json_response({"status": 500, "message": known.message}, status=500)
        if isinstance(known, UsageError):
            return json_response({"status": 400, "message": known.message}, status=400)
        log.exception("unexpected error")
        return json_response({"status": 500, "message": "internal error"}, status=500)
