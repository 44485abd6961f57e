"""A framework's default starter (sqlite), rendered from the installed templates, installed
into its own venv with uv and migrated: what `webstarter bench` and the scripts in
benchmarks/ measure. The steps are the smoke harness's (venvs, processes)."""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from webstarter import __version__
from webstarter.catalog import Framework
from webstarter.errors import UsageError
from webstarter.next_steps import render_command
from webstarter.smoke.processes import run
from webstarter.smoke.runner import base_env
from webstarter.smoke.venvs import bin_dir, install_project
from webstarter.template_source import ANSWERS_FILE

INSTALL_TIMEOUT = 600
MIGRATE_TIMEOUT = 300
# Written into a project once it is generated, installed and migrated: the webstarter version
# that made it, so that a kept --workdir is reused only by the same version.
READY_MARKER = ".webstarter-bench-ready"


def project_name(framework: str) -> str:
    """The name every starter bench generates is given (and recognised by, in a --workdir)."""
    return f"bench-{framework}"


def generate(framework: str, dest: Path, template: Path | None = None) -> str:
    """Render the default project (sqlite) into `dest`; return its package name."""
    from copier import run_copy

    from webstarter.resources import template_root

    worker = run_copy(
        str(template or template_root()),
        dest,
        data={"framework": framework, "project_name": project_name(framework)},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return str(worker.answers.combined["package_name"])


@dataclass
class Starter:
    """A generated, installed and migrated starter, ready to serve."""

    framework: Framework
    project: Path
    package: str
    venv: Path
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(40))

    def env(self, **extra: str) -> dict[str, str]:
        """Production settings (DEBUG off) with the venv first on PATH; logs at WARNING, so
        that writing them costs the load nothing worth measuring."""
        env = base_env()
        return {
            **env,
            "SECRET_KEY": self.secret_key,
            "LOG_LEVEL": "WARNING",
            "PATH": f"{bin_dir(self.venv)}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(self.venv),
            **extra,
        }

    def argv(self, command: str, host: str = "127.0.0.1", port: int = 0) -> list[str]:
        """A catalog command as argv, its program taken from the venv."""
        argv = shlex.split(render_command(command, self.package, host, port))
        program = bin_dir(self.venv) / argv[0]
        if program.exists():
            argv[0] = str(program)
        return argv


def prepare(framework: Framework, project: Path, logs: Path) -> Starter:
    """Generate, install (uv) and migrate the default starter of `framework` in `project`."""
    package = generate(framework.key, project)
    venv = install_project(project, base_env(), logs / "install.log", INSTALL_TIMEOUT, True)
    starter = Starter(framework, project, package, venv)
    for command in (framework.commands.migrate, *framework.commands.prepare):
        if command:
            argv = starter.argv(command)
            run(argv, project, starter.env(), logs / "prepare.log", MIGRATE_TIMEOUT)
    return starter


def prepare_or_reuse(framework: Framework, project: Path, logs: Path) -> tuple[Starter, bool]:
    """The starter a run with the same --workdir (and webstarter version) prepared, and True;
    else a new one, and False. A folder there that is not such a starter is never deleted: a
    one-line error. A kept starter is installed editable: edits to its code are measured."""
    marker = project / READY_MARKER
    answers = _answers(project)
    ours = answers.get("project_name") == project_name(framework.key)
    if ours and marker.is_file() and marker.read_text(encoding="utf-8").strip() == __version__:
        package = str(answers["package_name"])
        return Starter(framework, project, package, project / ".venv"), True
    if project.exists():
        if not ours:
            raise UsageError(
                f"'{project}' exists and is not a starter made by webstarter bench: "
                "choose another --workdir"
            )
        shutil.rmtree(project)  # an older version's or an unfinished one: made again
    starter = prepare(framework, project, logs)
    marker.write_text(__version__ + "\n", encoding="utf-8")
    return starter, False


def _answers(project: Path) -> dict[str, object]:
    """The copier answers recorded in `project`; empty when there are none to read."""
    import yaml

    try:
        answers = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return answers if isinstance(answers, dict) else {}
