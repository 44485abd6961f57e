"""Flask's signed-cookie sessions, without their cost for requests that do not use them."""

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's own session interface, except that a request without any cookie gets a new,
    empty session at once. Flask builds the cookie's signer (a key derivation and a JSON
    round trip) on every request before it looks for the cookie; an API client sends none."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Nothing to do for a session that stayed empty and untouched (Flask would read six
        cookie settings first, then do nothing too)."""
        if session or session.accessed or session.modified:
            super().save_session(app, session, response)
