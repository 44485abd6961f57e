"""SimpleTemplate views and static files, found from the package folder.

Bottle's default TEMPLATE_PATH is relative to the working directory, so a server started
anywhere else would not find the templates: these absolute paths work from any directory.
"""

from pathlib import Path
from typing import Any

import bottle

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "views"
# One constant list: bottle caches compiled templates by the id of the lookup list.
TEMPLATE_LOOKUP = [str(TEMPLATE_DIR)]


def render(name: str, **context: Any) -> str:
    """Render views/<name>.tpl with the given variables (HTML-escaped by SimpleTemplate)."""
    return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **context)
