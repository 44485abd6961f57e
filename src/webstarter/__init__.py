"""webstarter: generate working, production-minded Python web starters and keep them current."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`__version__` is read from the installed metadata only when asked: importing
    importlib.metadata costs `webstarter list` about 10 ms it does not need."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("webstarter")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+unknown"
