"""The database layer: engine, session factory and the per-request ``request.dbsession``.

``config.include(".models")`` wires it up. Each request gets its own session, joined by
zope.sqlalchemy to the transaction that pyramid_tm begins for the request: the transaction
commits when the view returns normally and rolls back when it raises (or answers 4xx/5xx),
and the session is closed either way. pyramid_retry runs a request again on a transient
database error, such as a serialization failure.
"""

import logging
from typing import Any

import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.request import Request
from sqlalchemy import Engine, engine_from_config, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .meta import Base
from .note import Note

__all__ = ["Base", "Note", "database_is_reachable", "get_engine", "get_session_factory"]

log = logging.getLogger(__name__)


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


def includeme(config: Configurator) -> None:
    """Set up the engine, pyramid_tm, pyramid_retry and ``request.dbsession``."""
    settings = config.get_settings()
    # request.tm is the transaction manager of the request, not a thread-local global.
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # Abort the transaction on a 4xx or 5xx answer too, not only when a view raises.
    settings.setdefault("tm.commit_veto", "pyramid_tm.default_commit_veto")
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["db.engine"] = engine
    config.registry["db.session_factory"] = session_factory

    def dbsession(request: Request) -> Session:
        return get_tm_session(session_factory, request.tm)

    config.add_request_method(dbsession, reify=True)
