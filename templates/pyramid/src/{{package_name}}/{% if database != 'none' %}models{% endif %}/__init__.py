"""The database layer: engine, session factory and the per-request ``request.dbsession``.

``config.include(".models")`` wires it up. Each request gets its own session, joined by
zope.sqlalchemy to the transaction that pyramid_tm begins for the request: the transaction
commits when the view returns normally and rolls back when it raises (or answers 4xx/5xx),
and the session is closed either way. pyramid_retry runs a request again on a transient
database error, such as a serialization failure.

Requests for the paths in NO_DATABASE_PATHS begin no transaction and get a single attempt (the
activate hooks of pyramid_tm and pyramid_retry), and ``request.tm`` and ``request.dbsession``
are properties of the request class, so that a route that needs no database pays nothing for
it: Pyramid would otherwise build a new request class on every request to attach them.
"""

import logging
from typing import Any

import pyramid_tm
import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.decorator import reify
from pyramid.request import Request
from pyramid.tweens import EXCVIEW
from sqlalchemy import Engine, engine_from_config, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .meta import Base
from .note import Note

__all__ = ["Base", "Note", "database_is_reachable", "get_engine", "get_session_factory"]

log = logging.getLogger(__name__)

# The paths whose views never use request.dbsession (see routes.py), static files included:
# no transaction is begun for them. /healthz checks the database on a connection of its own.
NO_DATABASE_PATHS = frozenset({"/", "/api/hello", "/healthz"})
STATIC_PREFIX = "/static/"


def get_engine(settings: dict[str, Any], prefix: str = "sqlalchemy.") -> Engine:
    """An engine from the ``sqlalchemy.*`` settings (``sqlalchemy.url`` is set by main())."""
    return engine_from_config(settings, prefix, pool_pre_ping=True)


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine)


def get_tm_session(
    session_factory: sessionmaker[Session], transaction_manager: transaction.TransactionManager
) -> Session:
    """A session whose commit and rollback follow ``transaction_manager``."""
    dbsession = session_factory()
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def database_is_reachable(engine: Engine) -> bool:
    """Run ``SELECT 1`` on a connection of its own, outside any request transaction, so that a
    failure can neither doom the request's transaction nor turn into a 500."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("database unreachable: %s", exc.__class__.__name__)
        return False
    return True


def needs_transaction(request: Request) -> bool:
    """pyramid_tm's activate hook: False for the paths that never touch the database."""
    path = request.environ.get("PATH_INFO", "")
    return path not in NO_DATABASE_PATHS and not path.startswith(STATIC_PREFIX)


def retry_attempts(request: Request) -> int | None:
    """pyramid_retry's activate hook: one attempt where no transaction runs (nothing there can
    fail in a way worth retrying), so that the body is not copied to be read again."""
    return None if needs_transaction(request) else 1


class DatabaseRequest(Request):
    """Pyramid's request with the transaction manager and the session as properties.

    ``config.add_request_method(..., reify=True)`` (what ``config.include("pyramid_tm")`` does
    for ``request.tm``) makes Pyramid derive a new class for every request.
    """

    @reify
    def tm(self) -> transaction.TransactionManager:
        """The request's own transaction manager (explicit mode), begun by pyramid_tm."""
        return pyramid_tm.create_tm(self)

    @reify
    def dbsession(self) -> Session:
        """The request's session, joined to its transaction; made on first use."""
        return get_tm_session(self.registry["db.session_factory"], self.tm)


def includeme(config: Configurator) -> None:
    """Set up the engine, pyramid_tm, pyramid_retry and ``request.dbsession``."""
    settings = config.get_settings()
    # request.tm is the transaction manager of the request, not a thread-local global.
    settings["tm.manager_hook"] = pyramid_tm.explicit_manager
    settings["tm.activate_hook"] = needs_transaction
    settings["retry.activate_hook"] = retry_attempts
    # Abort the transaction on a 4xx or 5xx answer too, not only when a view raises.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    # pyramid_tm's includeme, except for its request.tm method, which DatabaseRequest has.
    config.add_tween("pyramid_tm.tm_tween_factory", over=EXCVIEW)
    config.add_view_predicate("tm_active", pyramid_tm.TMActivePredicate)
    config.include("pyramid_retry")
    config.set_request_factory(DatabaseRequest)

    engine = get_engine(settings)
    config.registry["db.engine"] = engine
    config.registry["db.session_factory"] = get_session_factory(engine)
