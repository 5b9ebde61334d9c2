"""Unbound extension objects and the LMS's own declarative base.

The LMS models live on :class:`Base`, not on a ``db.Model``: in plugin mode the host app
owns the one ``SQLAlchemy()`` an app may hold, and the LMS uses that instance's session
(:data:`session`). The standalone app registers :data:`db` itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, scoped_session
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every LMS model; every table is prefixed ``lms_``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def _app_session() -> scoped_session:
    try:
        return current_app.extensions["sqlalchemy"].session
    except KeyError:
        raise RuntimeError(
            "The LMS needs Flask-SQLAlchemy on the app: register SQLAlchemy() before LMS()."
        ) from None


session: scoped_session = LocalProxy(_app_session)  # type: ignore[assignment]


def get_or_404(model: type[Base], ident: Any) -> Any:
    """Load one row by primary key, or answer 404."""
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("A naive datetime cannot be stored; give it a time zone.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
