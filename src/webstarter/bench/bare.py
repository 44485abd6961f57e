"""The bare reference of each framework: a hello world with the same two routes as the
starter (`/api/hello` JSON, `/` HTML), run in the starter's own venv under the same server
command, so that a starter's figure divided by its bare figure is what the starter costs.

Django has two references: a project made by `django-admin startproject` (its default
middleware, the fair peer of a real project) and the same project with no middleware at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from webstarter.smoke.processes import run

MODULE = "webstarter_bare"
MESSAGE = "Hello, world!"
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Hello</title></head>"
    "<body><h1>Hello, world!</h1></body></html>"
)


@dataclass(frozen=True)
class Bare:
    """One bare app written to `folder`: `target` for WSGI servers, `module` for
    `python -m`, `ini` for pserve, and the environment it needs."""

    label: str  # "bare" or "bare-no-middleware"
    folder: Path
    target: str = f"{MODULE}:app"
    module: str = MODULE
    ini: str = "bare.ini"
    env: dict[str, str] = field(default_factory=dict)

    def argv(self, starter_argv: list[str]) -> list[str]:
        """The starter's server command with its app swapped for this one, every other
        option (workers, threads, proxy trust) kept."""
        return swap_app(starter_argv, self.target, self.module, self.ini)


def swap_app(argv: list[str], target: str, module: str, ini: str) -> list[str]:
    """Replace the app a catalog server command names: granian's, gunicorn's and
    waitress-serve's last argument (dropping --factory, --call and --paste, which point at
    the starter's factory or ini file), pserve's ini file, or `python -m`'s module."""
    program = Path(argv[0]).name
    if program == "pserve":
        return [argv[0], ini, *argv[2:]]
    if "-m" in argv[:2]:
        at = argv.index("-m")
        return [*argv[: at + 1], module, *argv[at + 2 :]]
    args = list(argv)
    if "--paste" in args:
        at = args.index("--paste")
        del args[at : at + 2]
        return [*args, target]
    args = [arg for arg in args if arg not in ("--factory", "--call")]
    return [*args[:-1], target]


_FLASK = f'''
from flask import Flask

app = Flask(__name__)


@app.get("/api/hello")
def hello():
    return {{"message": "{MESSAGE}"}}


@app.get("/")
def index():
    return "{PAGE}"
'''

_BOTTLE = f'''
import bottle

app = bottle.Bottle()


@app.get("/api/hello")
def hello():
    return {{"message": "{MESSAGE}"}}


@app.get("/")
def index():
    return "{PAGE}"
'''

_PYRAMID = f'''
from pyramid.config import Configurator
from pyramid.response import Response


def hello(request):
    return {{"message": "{MESSAGE}"}}


def index(request):
    return Response("{PAGE}", content_type="text/html")


def make_app():
    with Configurator() as config:
        config.add_route("hello", "/api/hello")
        config.add_view(hello, route_name="hello", renderer="json")
        config.add_route("index", "/")
        config.add_view(index, route_name="index")
        return config.make_wsgi_app()


app = make_app()


def paste_app(global_config, **settings):
    return app
'''

_PYRAMID_INI = f"""
[app:main]
use = call:{MODULE}:paste_app

[server:main]
use = egg:waitress#main
listen = %(http_host)s:%(http_port)s
"""

_CHERRYPY = f'''
import argparse

import cherrypy


class Api:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def hello(self):
        return {{"message": "{MESSAGE}"}}


class Root:
    api = Api()

    @cherrypy.expose
    def index(self):
        return "{PAGE}"


cherrypy.config.update({{"environment": "production", "log.screen": False}})
cherrypy.tree.mount(Root(), "/")
app = cherrypy.tree

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    cherrypy.config.update(
        {{"server.socket_host": args.host, "server.socket_port": args.port,
          "engine.autoreload.on": False}}
    )
    cherrypy.engine.start()
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.block()
'''

_SOURCES = {"flask": _FLASK, "bottle": _BOTTLE, "pyramid": _PYRAMID, "cherrypy": _CHERRYPY}

_DJANGO_SETTINGS = """

# webstarter bench: production mode, as the starter is measured.
import os  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = os.environ["SECRET_KEY"]
"""

_DJANGO_URLS = f'''"""webstarter bench: the bare Django project's two routes."""

from django.http import HttpResponse, JsonResponse
from django.urls import path


def hello(request):
    return JsonResponse({{"message": "{MESSAGE}"}})


def index(request):
    return HttpResponse("{PAGE}")


urlpatterns = [path("api/hello", hello), path("", index)]
'''


def write_bare(
    framework: str, folder: Path, venv_bin: Path, env: dict[str, str], log: Path
) -> list[Bare]:
    """Write the bare app(s) of `framework` into `folder`; return the references to run."""
    folder.mkdir(parents=True, exist_ok=True)
    path = {"PYTHONPATH": str(folder)}
    if framework != "django":
        (folder / f"{MODULE}.py").write_text(_SOURCES[framework].lstrip(), encoding="utf-8")
        (folder / "bare.ini").write_text(_PYRAMID_INI.lstrip(), encoding="utf-8")
        return [Bare("bare", folder, env=path)]
    # startproject's own files: its settings (default middleware and apps) are the reference.
    admin = str(venv_bin / "django-admin")
    run([admin, "startproject", "barehello", str(folder)], folder, env, log, 120)
    settings = folder / "barehello" / "settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + _DJANGO_SETTINGS, encoding="utf-8")
    (folder / "barehello" / "urls.py").write_text(_DJANGO_URLS, encoding="utf-8")
    (folder / "barehello" / "settings_no_middleware.py").write_text(
        "from .settings import *  # noqa: F403\n\nMIDDLEWARE = []\n", encoding="utf-8"
    )
    target = "barehello.wsgi:application"
    return [
        Bare(
            "bare",
            folder,
            target=target,
            env={**path, "DJANGO_SETTINGS_MODULE": "barehello.settings"},
        ),
        Bare(
            "bare-no-middleware",
            folder,
            target=target,
            env={**path, "DJANGO_SETTINGS_MODULE": "barehello.settings_no_middleware"},
        ),
    ]
