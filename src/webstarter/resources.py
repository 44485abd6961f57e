"""Where the templates and the tool's cache live, for a wheel and for a source checkout alike."""

import os
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def template_root() -> Path:
    """The copier template root: inside the wheel, or `templates/` of a source checkout."""
    for candidate in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise FileNotFoundError("webstarter's templates are missing from this installation")


def cache_dir() -> Path:
    """The tool's own cache folder (platformdirs; WEBSTARTER_CACHE_DIR overrides), created on
    demand."""
    override = os.environ.get("WEBSTARTER_CACHE_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir("webstarter", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
