"""webstarter: generate working, production-minded Python web starters and keep them current."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("webstarter")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
