"""Where copier gets webstarter's templates from: a canonical URL that git maps to the
template history shipped with the tool, so updates work offline and from any install.

Generated projects record CANONICAL_URL as `_src_path` and a `vX.Y.Z` tag as `_commit`. At run
time git's `url.<bundle>.insteadOf=<CANONICAL_URL>` (passed through GIT_CONFIG_* variables,
after any the user set) sends every fetch of that URL to the bundle. Outside webstarter the
same URL is a real repository, so plain `copier update` works too.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from webstarter.errors import WebstarterError
from webstarter.resources import PACKAGE_DIR, cache_dir

CANONICAL_URL = "https://github.com/webstarter/webstarter-templates.git"
ANSWERS_FILE = ".copier-answers.yml"  # where copier records a project's answers
PACKAGED_BUNDLE = PACKAGE_DIR / "templates.bundle"
SOURCE_CHECKOUT = PACKAGE_DIR.parent.parent


def installed_version() -> str:
    """The template version this installation generates: the package's own version."""
    import webstarter

    return str(webstarter.__version__)


def record_canonical_source(answers_file: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """Point a fresh project's answers at CANONICAL_URL and the installed release tag.

    Only the `_src_path` line is replaced and a `_commit` line put before it, so the file reads
    byte for byte as copier writes it when rendering that tag from the history.
    """
    tag = f"v{installed_version()}"
    text = answers_file.read_text(encoding="utf-8")
    line = re.compile(r"^_src_path: .*$", re.MULTILINE)
    if not line.search(text):
        raise WebstarterError(f"{answers_file.name} has no _src_path to record")
    answers_file.write_text(
        line.sub(f"_commit: {tag}\n_src_path: {CANONICAL_URL}", text, count=1), encoding="utf-8"
    )
    return {**answers, "_src_path": CANONICAL_URL, "_commit": tag}


def bundle_path() -> Path:
    """The shipped bundle, or, in a source checkout, one built from its git history."""
    if PACKAGED_BUNDLE.is_file():
        return PACKAGED_BUNDLE
    if (SOURCE_CHECKOUT / ".git").exists() and (SOURCE_CHECKOUT / "templates").is_dir():
        return _checkout_bundle()
    raise WebstarterError(
        "this installation has no template history (templates.bundle); reinstall webstarter"
    )


def _checkout_bundle() -> Path:
    """Build (once per state of the checkout) the bundle a wheel would ship."""
    from webstarter.errors import HistoryError
    from webstarter.history import build_bundle, run_git, working_tree_templates

    try:
        git_dir = Path(run_git(SOURCE_CHECKOUT, "rev-parse", "--absolute-git-dir"))
        head = run_git(SOURCE_CHECKOUT, "rev-parse", "--verify", "--quiet", "HEAD")
        tree = working_tree_templates(SOURCE_CHECKOUT, git_dir)
        pyproject = (SOURCE_CHECKOUT / "pyproject.toml").read_bytes()
        key = hashlib.sha256(f"{head}\n{tree}\n".encode() + pyproject).hexdigest()[:20]
        bundle = cache_dir() / "bundles" / f"{key}.bundle"
        if not bundle.is_file():
            build_bundle(SOURCE_CHECKOUT, bundle)
    except HistoryError as error:
        raise WebstarterError(f"cannot build the template history: {error}") from error
    return bundle


def git_url_env(bundle: Path, copier_cache: Path | None = None) -> dict[str, str]:
    """GIT_CONFIG_* entries that map CANONICAL_URL to `bundle`, appended to the user's own.
    copier's mirror of the URL lives in `copier_cache` (default: webstarter's cache).

    Background maintenance is switched off for these short-lived git calls: copier's dozens
    of commits and fetches would otherwise start `git maintenance` several times an update.
    """
    settings = {
        f"url.{bundle.as_posix()}.insteadOf": CANONICAL_URL,
        "maintenance.auto": "false",
        "gc.auto": "0",
    }
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    env = {
        "GIT_CONFIG_COUNT": str(count + len(settings)),
        "COPIER_CACHE_DIR": str(copier_cache or cache_dir() / "copier-git"),
    }
    for index, (key, value) in enumerate(settings.items(), start=count):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


@contextmanager
def canonical_source(history: Path | None = None) -> Iterator[str]:
    """Inside this block, copier (through plumbum) fetches CANONICAL_URL from the bundle.

    `history` serves the URL from another template history (a bundle or a git repository),
    as `smoke --from` does for templates under test that are not the installed ones; copier's
    mirror of it is kept beside it, apart from the shipped history's mirror, so that its tags
    never reach a user's update.
    """
    from plumbum import local

    if history is None:
        env = git_url_env(bundle_path())
    else:
        env = git_url_env(history, history.with_name(history.name + ".copier-cache"))
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)  # copier also reads COPIER_CACHE_DIR from os.environ
    try:
        with local.env(**env):  # plumbum copied os.environ at import: set its copy too
            yield CANONICAL_URL
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
