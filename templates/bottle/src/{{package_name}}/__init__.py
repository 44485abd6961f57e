"""The web service: `create_app()` builds a configured Bottle application."""

from .app import create_app

__all__ = ["create_app"]
