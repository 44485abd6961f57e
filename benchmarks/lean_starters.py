"""Each default starter's GET /api/hello against a bare hello world of its framework.

    python benchmarks/lean_starters.py [-f NAME ...] [--rounds 3] [--seconds 5] [--json FILE]

The starter (sqlite, generated from this checkout, installed and migrated) and the bare apps
(a few lines each, written beside it and run with the starter's own venv) are served at once
on 127.0.0.1, each under its catalog command for gunicorn and for granian with one worker
(WEB_CONCURRENCY=1, GRANIAN_WORKERS=1); a bare app gets the same command with its own target.
Then `wrk -t1 -c16` runs on each in turn, round after round, so that the load other work puts
on the machine falls on all of them alike. The goal (issue 14): the starter at 0.9x its bare
framework or better. Django has two references: startproject's default middleware (a starter
keeps sessions, CSRF and auth) and no middleware at all.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from default_starter import generate
from loopback import serving, wrk

from webstarter.catalog import catalog
from webstarter.next_steps import render_command
from webstarter.smoke.processes import free_port
from webstarter.smoke.runner import base_env
from webstarter.smoke.venvs import bin_dir, install_project

GOAL = 0.9
SERVERS = ("gunicorn", "granian")
DJANGO_DEFAULT_MIDDLEWARE = """[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]"""
DJANGO = """from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path

settings.configure(
    SECRET_KEY="bare", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
    INSTALLED_APPS={apps},
    MIDDLEWARE={middleware},
)
urlpatterns = [path("api/hello", lambda request: JsonResponse({{"message": "Hello, world!"}}))]
application = get_wsgi_application()
"""
# The reference apps: module name -> source. Nothing but the route and its JSON answer.
BARE: dict[str, dict[str, str]] = {
    "django": {
        "bare_django": DJANGO.format(
            apps='["django.contrib.auth", "django.contrib.contenttypes", '
            '"django.contrib.sessions", "django.contrib.messages"]',
            middleware=DJANGO_DEFAULT_MIDDLEWARE,
        ),
        "bare_django_no_middleware": DJANGO.format(apps="[]", middleware="[]"),
    },
    "flask": {
        "bare_flask": """from flask import Flask

application = Flask(__name__)


@application.get("/api/hello")
def hello():
    return {"message": "Hello, world!"}
""",
    },
    "pyramid": {
        "bare_pyramid": """from pyramid.config import Configurator

with Configurator() as config:
    config.add_route("hello", "/api/hello")
    config.add_view(lambda r: {"message": "Hello, world!"}, route_name="hello", renderer="json")
    application = config.make_wsgi_app()
""",
    },
    "bottle": {
        "bare_bottle": """import bottle

application = bottle.Bottle()


@application.get("/api/hello")
def hello():
    return {"message": "Hello, world!"}
""",
    },
    "cherrypy": {
        "bare_cherrypy": """import cherrypy


class Api:
    @cherrypy.expose
    @cherrypy.tools.json_out()
    def hello(self):
        return {"message": "Hello, world!"}


cherrypy.config.update({"environment": "embedded", "log.screen": False})
application = cherrypy.tree.mount(Api(), "/api")
cherrypy.server.unsubscribe()
cherrypy.engine.start()
""",
    },
}


def bare_argv(starter_argv: list[str], module: str) -> list[str]:
    """The starter's server command with the bare module as its target instead."""
    argv = [arg for arg in starter_argv if arg != "--factory"]
    if "--paste" in argv:  # gunicorn --paste production.ini (Pyramid)
        at = argv.index("--paste")
        del argv[at : at + 2]
    else:
        argv.pop()
    return [*argv, f"{module}:application"]


def prepare(framework: str, scratch: Path) -> tuple[Path, Path, str]:
    """Generate, install and migrate the default starter; write the bare apps beside it."""
    project = scratch / framework
    package = generate(framework, project)
    venv = install_project(project, base_env(), scratch / f"{framework}-install.log", 900, True)
    env = {**base_env(), "SECRET_KEY": "x" * 50, "PATH": f"{bin_dir(venv)}:{os.environ['PATH']}"}
    migrate = shlex.split(catalog()[framework].commands.migrate)
    subprocess.run(migrate, cwd=project, env=env, check=True, capture_output=True)
    bare = scratch / f"{framework}-bare"
    bare.mkdir()
    for module, source in BARE[framework].items():
        (bare / f"{module}.py").write_text(source, encoding="utf-8")
    return project, venv, package


def measure(framework: str, scratch: Path, rounds: int, seconds: int) -> list[dict[str, object]]:
    project, venv, package = prepare(framework, scratch)
    bare = scratch / f"{framework}-bare"
    env = {
        **base_env(),
        "SECRET_KEY": "x" * 50,
        "PATH": f"{bin_dir(venv)}{os.pathsep}{os.environ['PATH']}",
        "WEB_CONCURRENCY": "1",
        "GRANIAN_WORKERS": "1",
    }
    apps: dict[tuple[str, str], str] = {}  # (server, app) -> URL
    with contextlib.ExitStack() as stack:
        for server in SERVERS:
            command = catalog()[framework].commands.servers[server]
            port = free_port()
            argv = shlex.split(render_command(command, package, "127.0.0.1", port))
            argv[0] = str(bin_dir(venv) / argv[0])
            url = f"http://127.0.0.1:{port}/api/hello"
            stack.enter_context(serving(argv, project, env, url))
            apps[server, "starter"] = url
            for module in BARE[framework]:
                port = free_port()
                argv = shlex.split(render_command(command, package, "127.0.0.1", port))
                argv = bare_argv([str(bin_dir(venv) / argv[0]), *argv[1:]], module)
                bare_env = {**env, "PYTHONPATH": str(bare)}
                url = f"http://127.0.0.1:{port}/api/hello"
                stack.enter_context(serving(argv, bare, bare_env, url))
                apps[server, module] = url
        for url in apps.values():
            wrk(url, 1)  # warm up: imports, caches, the first connections
        runs: dict[tuple[str, str], list[float]] = {key: [] for key in apps}
        for round_ in range(rounds):
            for key, url in apps.items():
                runs[key].append(wrk(url, seconds)[0])
            print(f"{framework}: round {round_ + 1} of {rounds} done", file=sys.stderr, flush=True)
    rows = []
    for server in SERVERS:
        starter = runs[server, "starter"]
        for module in BARE[framework]:
            reference = runs[server, module]
            # Each round's ratio, then their median: a slow round slows both apps alike.
            ratio = median(s / b for s, b in zip(starter, reference, strict=True))
            rows.append({
                "framework": framework, "server": server, "reference": module,
                "starter_rps": round(median(starter)), "bare_rps": round(median(reference)),
                "ratio": round(ratio, 2),
            })  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--framework", action="append", choices=list(catalog()))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    print("| framework | server | reference | starter req/s | bare req/s | ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="webstarter-lean-") as scratch:
        for framework in args.framework or list(catalog()):
            for row in measure(framework, Path(scratch), args.rounds, args.seconds):
                rows.append(row)
                verdict = "" if row["ratio"] >= GOAL else f" (below {GOAL})"  # type: ignore[operator]
                print(
                    f"| {framework} | {row['server']} | {row['reference']} | "
                    f"{row['starter_rps']} | {row['bare_rps']} | {row['ratio']:.2f}{verdict} |",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
