"""On a terminal `webstarter new` asks for what is missing (copier's questionary prompts); the
test drives a real pseudo-terminal, answering two questions and accepting the rest."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import yaml


def read_until(fd: int, text: str, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < deadline, f"no {text!r} in {seen[-400:]!r}"
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break


def test_new_prompts_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "webstarter",
            "new",
            str(tmp_path / "svc"),
            "-f",
            "bottle",
            "--no-git",
        ],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"},
    )
    os.close(slave)
    seen = bytearray()
    try:
        read_until(master, "Project name", seen)
        os.write(master, b"\x15Ticket Desk\r")  # Ctrl-U clears the suggested default first
        read_until(master, "Python package name", seen)
        os.write(master, b"\r")  # accept the default derived from the project name
        read_until(master, "One-line description", seen)
        os.write(master, b"\x15Sells tickets.\r")
        for _ in range(10):
            if process.poll() is not None:
                break
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
            os.write(master, b"\r")
        assert process.wait(timeout=30) == 0, seen[-600:]
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Ticket Desk"
    assert answers["package_name"] == "ticket_desk"
    assert answers["description"] == "Sells tickets."
    assert answers["license"] == "MIT"
