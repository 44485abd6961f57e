"""Docker for the smoke harness: find a client whose daemon answers, then build, run, inspect
and remove the images and containers of generated projects.

The client is the one named by WEBSTARTER_DOCKER, else the first `docker` that can build with
BuildKit (the generated Dockerfiles use `RUN --mount=type=cache`): a client older than 23
builds with DOCKER_BUILDKIT=1 on its own, a newer one needs its buildx plugin. When the daemon
listens on a local socket, inspecting, logs, stopping and removing go through its API instead
of a docker process each (engine_api.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webstarter.errors import StepFailed
from webstarter.smoke.engine_api import EngineApi
from webstarter.smoke.processes import run, tail
from webstarter.texts import last_line

DOCKER_ENV = "WEBSTARTER_DOCKER"
STAND_IN_LABEL = "org.webstarter.stand-in"
SMOKE_LABEL = "org.webstarter.smoke"
_BASE_IMAGE_ARG = re.compile(r"^ARG\s+PYTHON_IMAGE=(\S+)", re.MULTILINE)
_QUICK = 30.0  # seconds a docker command that builds or runs nothing may take


def size_bytes(image: dict[str, Any]) -> int:
    """An inspected image's size in bytes."""
    return int(image["Size"])


def labelled_stand_in(image: dict[str, Any]) -> bool:
    """Whether an inspected image is the debootstrap stand-in for its official base."""
    labels = image.get("Config", {}).get("Labels") or {}
    return STAND_IN_LABEL in {str(label).lower() for label in labels}


@dataclass(frozen=True)
class Docker:
    """A docker client whose daemon answered, and the daemon's version."""

    client: str
    server_version: str
    api: EngineApi | None = None  # the daemon's socket, when it is a local one

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_BUILDKIT": "1"}

    def output(self, *args: str, timeout: float = _QUICK) -> str:
        """Run a short docker command and return its stdout; failure raises StepFailed."""
        try:
            result = subprocess.run(  # noqa: S603 - the chosen docker client, our arguments
                [self.client, *args],
                capture_output=True,
                text=True,
                env=self.env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise StepFailed(f"`docker {args[0]}` timed out after {timeout:.0f} s") from None
        if result.returncode != 0:
            why = last_line(result.stderr or result.stdout, "?")
            raise StepFailed(f"`docker {' '.join(args[:2])}` failed: {why}")
        return result.stdout.strip()

    def logged(self, args: list[str], cwd: Path, log: Path, timeout: float) -> None:
        """Run a long docker command (a build) with its output appended to `log`."""
        try:
            run([self.client, *args], cwd, self.env, log, timeout)
        except StepFailed as error:
            raise StepFailed(f"{error}; last line: {last_line(tail(log, 5))}") from None

    def inspect(self, kind: str, name: str) -> dict[str, Any]:
        """What `docker inspect` says of a container or an image; StepFailed if none."""
        if self.api is not None:
            return self.api.inspect(kind, name)
        data = json.loads(self.output(kind, "inspect", "--format", "{{json .}}", name))
        if not isinstance(data, dict):
            raise StepFailed(f"`docker {kind} inspect {name}` did not describe one {kind}")
        return data

    def image(self, name: str) -> dict[str, Any] | None:
        """What `docker image inspect` says of an image; None if the daemon has none such."""
        try:
            return self.inspect("image", name)
        except StepFailed:
            return None

    def image_size(self, image: str) -> int:
        return size_bytes(self.inspect("image", image))

    def has_image(self, image: str) -> bool:
        return self.image(image) is not None

    def is_stand_in(self, image: str) -> bool:
        return labelled_stand_in(self.inspect("image", image))

    def state(self, container: str) -> dict[str, Any]:
        """The container's State: Status, ExitCode, Pid and (with a HEALTHCHECK) Health."""
        state = self.inspect("container", container).get("State")
        if not isinstance(state, dict):
            raise StepFailed(f"container {container} has no state")
        return state

    def process_uid(self, container: str) -> int:
        """The real user id of the container's main process, read from the host's /proc."""
        pid = self.state(container).get("Pid")
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        found = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
        if not found:
            raise StepFailed(f"cannot read the user of process {pid}")
        return int(found.group(1))

    def wait_healthy(self, container: str, timeout: float) -> float:
        started = time.monotonic()
        status = ""
        while time.monotonic() - started < timeout:
            status = (self.state(container).get("Health") or {}).get("Status", "")
            if status == "healthy":
                return time.monotonic() - started
            if not status:
                raise StepFailed("the image has no HEALTHCHECK")
            time.sleep(0.5)
        raise StepFailed(f"HEALTHCHECK still '{status}' after {timeout:.0f} s")

    def stop(self, container: str, grace: int) -> tuple[int, float]:
        """`docker stop` (SIGTERM, SIGKILL after `grace` s): the exit code and seconds taken."""
        started = time.monotonic()
        if self.api is not None:
            self.api.stop(container, grace)
        else:
            self.output("stop", "--time", str(grace), container, timeout=grace + _QUICK)
        seconds = time.monotonic() - started
        return int(self.state(container).get("ExitCode", -1)), seconds

    def logs(self, container: str) -> str:
        if self.api is not None:
            try:
                return self.api.logs(container)
            except StepFailed:
                return ""
        try:
            result = subprocess.run(  # noqa: S603 - the chosen docker client
                [self.client, "logs", container],
                capture_output=True,
                text=True,
                timeout=_QUICK,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return ""
        return result.stdout + result.stderr

    def remove(self, kind: str, *names: str) -> None:
        """Remove containers, volumes or images; what is already gone is fine."""
        if self.api is None:
            self._remove_with_client(kind, *names)
            return
        left = []
        for name in names:
            try:
                self.api.remove(kind, name)
            except StepFailed:
                left.append(name)  # the socket failed: the client may still get it
        self._remove_with_client(kind, *left)

    def _remove_with_client(self, kind: str, *names: str) -> None:
        if names:
            subprocess.run(  # noqa: S603 - the chosen docker client
                [self.client, kind, "rm", "--force", *names],
                capture_output=True,
                timeout=120,
                check=False,
            )


def base_image(dockerfile: Path) -> str | None:
    """The default of the Dockerfile's PYTHON_IMAGE build argument."""
    found = _BASE_IMAGE_ARG.search(dockerfile.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2]) or (0,)


def _probe(client: str) -> tuple[Docker | None, str]:
    def ask(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - a docker client found on this machine
            [client, *args], capture_output=True, text=True, timeout=_QUICK, check=False
        )

    try:
        info = ask("version", "--format", "{{.Client.Version}} {{.Server.Version}}")
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{client} cannot run: {error}"
    words = info.stdout.split()
    if info.returncode != 0 or len(words) != 2:
        why = last_line(info.stderr, "no answer")
        return None, f"the Docker daemon does not answer {client}: {why}"
    client_version, server_version = words
    if _version(client_version) >= (23,) and ask("buildx", "version").returncode != 0:
        return None, f"{client} {client_version} has no buildx plugin, so it cannot use BuildKit"
    return Docker(client, server_version, EngineApi.at(_endpoint(ask))), ""


def _endpoint(ask: Callable[..., subprocess.CompletedProcess[str]]) -> str:
    """Where the client sends its requests: DOCKER_HOST, else its current context's host."""
    if host := os.environ.get("DOCKER_HOST", "").strip():
        return host
    context = ask("context", "inspect", "--format", "{{.Endpoints.docker.Host}}")
    return context.stdout.strip() if context.returncode == 0 else ""


def find_docker() -> tuple[Docker | None, str]:
    """A usable client and daemon, or None and the reason why there is none."""
    chosen = os.environ.get(DOCKER_ENV, "").strip()
    if chosen:
        return _probe(chosen)
    candidates = list(dict.fromkeys(filter(None, [shutil.which("docker"), "/usr/bin/docker"])))
    reasons = []
    for client in candidates:
        if not Path(client).is_file():
            continue
        docker, reason = _probe(client)
        if docker is not None:
            return docker, ""
        reasons.append(reason)
    if not reasons:
        return None, f"no docker client found (install Docker, or set {DOCKER_ENV})"
    return None, "; ".join(reasons)
