"""The smoke harness's `container` step: build a generated project's image and hold it to the
same contract as the servers on the host.

It builds the image, checks that it refuses to start without SECRET_KEY, migrates, runs it on
a free loopback port, probes it (the notes round trip included), checks that its process is
not root, that its HEALTHCHECK turns healthy and that `docker stop` ends it cleanly within the
grace period; with a database it then starts a new container on the same volume or database
and reads the note back. Every container, volume and image it made is removed at the end.
"""

from __future__ import annotations

import secrets
import shlex
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from webstarter.errors import StepFailed
from webstarter.next_steps import render_command
from webstarter.smoke.containers import (
    SMOKE_LABEL,
    Docker,
    base_image,
    labelled_stand_in,
    size_bytes,
)
from webstarter.smoke.hostile import probe_hostile
from webstarter.smoke.probes import fetch, note_title, probe_contract, probe_notes
from webstarter.smoke.processes import STOPPING

STOP_GRACE = 10  # seconds between docker stop's SIGTERM and its SIGKILL
CLEAN_EXITS = (0, 143)  # exited by itself, or ended by the SIGTERM (128 + 15)
CONTAINER_PORT = 8000


@dataclass
class ContainerSettings:
    """What the step needs from its cell."""

    project: Path
    package: str
    database: str  # sqlite, postgresql or none
    migrate: str  # the catalog's migrate command ("" when there is none)
    secret_key: str
    database_url: str = ""  # postgresql cells: the harness's database
    keep: bool = False
    build_timeout: float = 900
    boot_timeout: float = 60
    free_port: Callable[[], int] = field(default=lambda: 0)


@dataclass
class ContainerReport:
    detail: str
    metrics: dict[str, float | int | str | bool]


class ContainerCheck:
    def __init__(self, docker: Docker, settings: ContainerSettings, log: Path) -> None:
        self.docker = docker
        self.settings = settings
        self.log = log
        token = secrets.token_hex(4)
        self.image = f"webstarter-smoke-{settings.package.replace('_', '-')}:{token}"
        self.volume = f"webstarter-smoke-{token}" if settings.database == "sqlite" else ""
        self.containers: list[str] = []
        self.metrics: dict[str, float | int | str | bool] = {}
        self._token = token

    def note(self, text: str) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            out.write(text + "\n")

    # Running --------------------------------------------------------------------------------

    def run(self) -> ContainerReport:
        try:
            self.build()
            # Two independent containers, so run side by side: one must refuse to start without
            # SECRET_KEY, the other migrates (the refusal comes before any database access).
            with ThreadPoolExecutor(max_workers=2) as pool:
                refusal = pool.submit(self.refuses_without_secret)
                if self.settings.database != "none" and self.settings.migrate:
                    migrate = render_command(self.settings.migrate, self.settings.package, "", 0)
                    self.one_shot(shlex.split(migrate))
                refusal.result()
            note = self.serve_and_probe()
            if note is not None:
                self.read_back(note)
        finally:
            self.clean_up()
        m = self.metrics
        parts = [
            f"image {m['image_mb']:.0f} MB (base {m['base_mb']:.0f} MB"
            f"{', a local stand-in' if m['stand_in'] else ''}), built in {m['build_s']:.1f} s",
            f"first 200 {m['ready_s']:.1f} s after start, healthy in {m['healthy_s']:.1f} s",
            f"user {m['uid']}, stopped in {m['stop_s']:.1f} s (exit {m['exit_code']})",
        ]
        if note is not None:
            parts.append("note kept across containers")
        return ContainerReport("; ".join(parts), dict(m))

    def build(self) -> None:
        base = base_image(self.settings.project / "Dockerfile")
        if base is None:
            raise StepFailed("the Dockerfile has no `ARG PYTHON_IMAGE=...` base image")
        # One inspection of the base answers whether it is here and a stand-in, and its size.
        base_info = self.docker.image(base)
        if base_info is None:
            self.note(f"base image {base} is not on this machine: docker build will pull it")
        self.metrics["stand_in"] = base_info is not None and labelled_stand_in(base_info)
        if self.metrics["stand_in"]:
            self.note(f"base image {base} is a local stand-in (built by debootstrap)")
        started = time.monotonic()
        self.docker.logged(
            ["build", "--label", f"{SMOKE_LABEL}=1", "--tag", self.image, "."],
            self.settings.project,
            self.log,
            self.settings.build_timeout,
        )
        self.metrics["build_s"] = round(time.monotonic() - started, 2)
        self.metrics["image_mb"] = round(self.docker.image_size(self.image) / 1e6, 1)
        if base_info is None:  # the build pulled it
            base_info = self.docker.inspect("image", base)
        self.metrics["base_mb"] = round(size_bytes(base_info) / 1e6, 1)
        self.note(
            f"built {self.image} in {self.metrics['build_s']} s: {self.metrics['image_mb']} MB"
            f" (base {base}: {self.metrics['base_mb']} MB)"
        )

    def _run_args(self, port: int, with_secret: bool = True) -> list[str]:
        """Options of `docker run` for this cell: network, volume and environment."""
        args = ["--label", f"{SMOKE_LABEL}=1", "--env", "LOG_LEVEL=INFO"]
        if with_secret:
            args += ["--env", f"SECRET_KEY={self.settings.secret_key}"]
        if self.settings.database_url:
            # The harness's PostgreSQL listens on the host's loopback: share the host's network.
            args += ["--network", "host", "--env", f"DATABASE_URL={self.settings.database_url}"]
            args += ["--env", f"PORT={port or self.settings.free_port()}"]
        else:
            if port:
                args += ["--publish", f"127.0.0.1:{port}:{CONTAINER_PORT}"]
            # The port is published on the host's loopback only, so every client is local: the
            # harness, in the TLS proxy's place. Its requests reach the container from the
            # bridge, so gunicorn is told to believe their X-Forwarded-Proto.
            args += ["--env", "FORWARDED_ALLOW_IPS=*"]
        if self.volume:
            args += ["--volume", f"{self.volume}:/app/data"]
        return args

    def one_shot(self, argv: list[str]) -> None:
        self.note(f"$ docker run --rm {self.image} {' '.join(argv)}")
        name = self._name("once")
        try:
            self.docker.output(
                "run", "--name", name, *self._run_args(0), self.image, *argv, timeout=300
            )
        finally:
            self.note(self.docker.logs(name))
            self.docker.remove("container", name)

    def refuses_without_secret(self) -> None:
        name = self._name("nosecret")
        try:
            self.docker.output(
                "run", "--name", name, *self._run_args(0, with_secret=False), self.image,
                timeout=self.settings.boot_timeout,
            )  # fmt: skip
        except StepFailed:
            output = self.docker.logs(name)
            self.note(f"without SECRET_KEY:\n{output}")
            if "SECRET_KEY" not in output:
                raise StepFailed(
                    "without SECRET_KEY the container failed, but not with the app's message"
                ) from None
            return
        finally:
            self.docker.remove("container", name)
        raise StepFailed("the container ran without SECRET_KEY and exited 0")

    def _name(self, role: str) -> str:
        name = f"webstarter-smoke-{self._token}-{role}"
        self.containers.append(name)
        return name

    def _start(self, role: str) -> tuple[str, str]:
        port = self.settings.free_port()
        name = self._name(role)
        # A 1 s health interval so that the step sees the image's own HEALTHCHECK turn healthy.
        self.docker.output(
            "run", "--detach", "--name", name, "--health-interval", "1s",
            *self._run_args(port), self.image,
        )  # fmt: skip
        started = time.monotonic()
        base = f"http://127.0.0.1:{port}"
        asked = 0.0  # when docker was last asked whether the container exited
        while time.monotonic() - started < self.settings.boot_timeout:
            if STOPPING.is_set():
                raise StepFailed("stopped: the run was interrupted")
            try:
                if fetch(base + "/healthz", timeout=2).status == 200:
                    self.metrics.setdefault("ready_s", round(time.monotonic() - started, 2))
                    return name, base
            except OSError:
                pass
            # Without the daemon's socket each question is a docker process: ask twice a
            # second, not at every poll.
            if time.monotonic() - asked >= 0.5:
                asked = time.monotonic()
                state = self.docker.state(name)
                if state.get("Status") == "exited":
                    self.note(self.docker.logs(name))
                    raise StepFailed(
                        f"the container exited with {state.get('ExitCode')} before it was ready"
                    )
            time.sleep(0.1)
        self.note(self.docker.logs(name))
        raise StepFailed(f"the container was not ready within {self.settings.boot_timeout:.0f} s")

    def serve_and_probe(self) -> tuple[int, str] | None:
        name, base = self._start("web")
        passed = [*probe_contract(base), *probe_hostile(base, self.settings.database != "none")]
        note = None
        if self.settings.database != "none":
            title = f"container note {secrets.token_hex(3)} <&>"
            note_id, more = probe_notes(base, title)
            passed += more
            note = (note_id, title)
        self.note(f"probes passed: {', '.join(passed)}")
        uid = self.docker.process_uid(name)
        self.metrics["uid"] = uid
        if uid == 0:
            raise StepFailed("the container's server runs as root")
        self.metrics["healthy_s"] = round(self.docker.wait_healthy(name, 60), 2)
        self._stop(name)
        return note

    def _stop(self, name: str) -> None:
        code, seconds = self.docker.stop(name, STOP_GRACE)
        self.note(f"docker stop: exit {code} in {seconds:.1f} s\n{self.docker.logs(name)}")
        self.metrics.setdefault("exit_code", code)
        self.metrics.setdefault("stop_s", round(seconds, 2))
        if code not in CLEAN_EXITS or seconds >= STOP_GRACE:
            raise StepFailed(
                f"docker stop took {seconds:.1f} s and the container exited with {code}"
                f" (expected {' or '.join(map(str, CLEAN_EXITS))} within {STOP_GRACE} s)"
            )

    def read_back(self, note: tuple[int, str]) -> None:
        """A new container on the same volume or database still has the note."""
        name, base = self._start("again")
        note_id, title = note
        if (found := note_title(base, note_id)) != title:
            raise StepFailed(f"note {note_id} reads back as {found!r} in a new container")
        self._stop(name)

    def clean_up(self) -> None:
        self.docker.remove("container", *self.containers)
        if self.volume:
            self.docker.remove("volume", self.volume)
        if not self.settings.keep:
            self.docker.remove("image", self.image)
