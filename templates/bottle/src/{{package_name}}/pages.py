"""HTML pages, static files and the health check."""

import bottle

from .templating import STATIC_DIR, render


def install(app: bottle.Bottle) -> None:
    """Register the routes on `app`."""

    @app.get("/", name="index")
    def index() -> str:
        return render("index", url=app.get_url, site_name=app.config["app.name"])

    @app.get("/static/<filepath:path>", name="static")
    def static(filepath: str) -> bottle.HTTPResponse:
        # static_file refuses paths outside root and answers 404/403 itself.
        return bottle.static_file(filepath, root=str(STATIC_DIR))

    @app.get("/healthz", name="healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}
