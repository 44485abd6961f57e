"""Build real webstarter releases from this checkout: used by the update tests and the update
benchmark, which both need wheels N and N+1 of the tool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from webstarter.smoke.venvs import find_uv

REPO = Path(__file__).resolve().parent.parent
IDENTITY = ["-c", "user.name=Test User", "-c", "user.email=test@example.org"]
MIGRATION = """\
_migrations:
  - version: v{version}
    when: "{{{{ _stage == 'before' }}}}"
    command:
      - "{{{{ _copier_python }}}}"
      - "-c"
      - "import pathlib, re; p = pathlib.Path('.copier-answers.yml'); \\
        p.write_text(re.sub(r'(?m)^author_email:', 'contact_email:', p.read_text()))"
"""


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def copy_checkout(dest: Path) -> Path:
    """This repository's working tree (tracked and untracked, not ignored) as a new repo."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "release N")
    return dest


def build_wheel(repo: Path, out: Path) -> Path:
    subprocess.run(
        [find_uv(), "build", "--wheel", "--quiet", "--out-dir", str(out)],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    return next(out.glob("webstarter-*.whl"))


def bump(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


def cut_next_release(repo: Path, version: str) -> str:
    """Commit release N+1: two template files change, an answer is renamed by a copier
    migration, and one README line changes that a user may also have edited."""
    new_version = bump(version)
    shared = repo / "templates" / "_shared"
    readme = shared / "README.md.jinja"
    readme.write_text(
        readme.read_text().replace(
            "- pip, or [uv](https://docs.astral.sh/uv/)",
            "- pip 23 or newer, or [uv](https://docs.astral.sh/uv/) 0.4 or newer",
        )
    )
    editorconfig = shared / "editorconfig.jinja"
    editorconfig.write_text(editorconfig.read_text() + "\n[Makefile]\nindent_style = tab\n")
    copier_yml = repo / "templates" / "copier.yml"
    renamed = copier_yml.read_text().replace("author_email", "contact_email")
    copier_yml.write_text(
        renamed.replace("_migrations: []\n", MIGRATION.format(version=new_version))
    )
    pyproject_partial = shared / "pyproject.toml.jinja"
    pyproject_partial.write_text(
        pyproject_partial.read_text().replace("author_email", "contact_email")
    )
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(f'version = "{version}"', f'version = "{new_version}"', 1)
    )
    git(repo, "commit", "-q", "-am", "release N+1")
    return new_version
