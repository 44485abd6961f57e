"""HTML pages, rendered from the Jinja templates in templates/pages/."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Home page; its layout (templates/base.html) links the static stylesheet."""
    return render_template("pages/index.html")
