"""The log-in backend: a request's user and their active memberships in one statement.

Every page behind login needs the user (Django's auth loads them from the session's user
id through the backend's ``get_user``) and their active centre memberships with the
centres (CurrentCentreMiddleware). Through the ORM that was two statements and about
1.4 ms of Python per request just to build them, more than the rest of a trivial page;
here one plain SQL statement reads both, and rows become model instances as the ORM
would make them (``from_db``, with the database's converters).

The session engine (hub.session_store) reads the same columns joined to the session row,
so a request reads its session, user and memberships in one round trip; ``get_user`` takes
that user when the request's session read it (``preloaded_from``), and reads them itself
otherwise. Nothing is cached between requests: a revoked membership, a deactivated centre
or user, a changed password take effect on the user's next request (issue 9).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from .models import Centre, Membership, User

# resolve_membership reads the memberships from here when the backend loaded the user.
MEMBERSHIPS_ATTR = "_active_memberships"


class _Table:
    """The columns of one model in the statement, and how to build an instance from them."""

    def __init__(self, model, alias: str, connection) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.columns = [f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields]
        self.converters = []
        for i, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((i, column, found))

    def build(self, db: str, values, connection):
        values = list(values)
        for i, column, converters in self.converters:
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        model = self.model
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(db, self.attnames, values)
        # What from_db makes, without Model.__init__'s per-field setattr (a descriptor call
        # for each foreign key) and its two signals, which nothing listens to here: three
        # instances on every request behind login, 3.6 -> 1.0 us for the user.
        instance = model.__new__(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        return instance


@dataclass(frozen=True)
class UserColumns:
    """The user's, their active memberships' and those centres' columns, for a statement
    that selects ``columns`` from the user table aliased ``u`` followed by ``joins``: a row
    per active membership (the centre's columns NULL when the centre is not active), or one
    row of NULL memberships for none."""

    columns: list[str]
    joins: str
    user: _Table
    membership: _Table
    centre: _Table

    def build(self, db: str, rows: list, start: int = 0) -> User | None:
        """The user of ``rows`` (their columns from ``start``) with their memberships."""
        if not rows or rows[0][start] is None:
            return None
        connection = connections[db]
        user_end = start + len(self.user.attnames)
        centre_start = user_end + len(self.membership.attnames)
        user = self.user.build(db, rows[0][start:user_end], connection)
        memberships = []
        for row in rows:
            if row[centre_start] is None:  # no active membership, or not at an active centre
                continue
            membership = self.membership.build(db, row[user_end:centre_start], connection)
            membership.centre = self.centre.build(db, row[centre_start:], connection)
            membership.user = user
            memberships.append(membership)
        # Membership's own order (Meta.ordering: centre name; one user). Sorted here, not
        # by an ORDER BY: that made PostgreSQL's plan dearer than the sort.
        memberships.sort(key=lambda m: (m.centre.name, m.pk))
        setattr(user, MEMBERSHIPS_ATTR, memberships)
        return user


@cache
def user_columns(db: str) -> UserColumns:
    connection = connections[db]
    q = connection.ops.quote_name
    user = _Table(User, "u", connection)
    membership = _Table(Membership, "m", connection)
    centre = _Table(Centre, "c", connection)
    joins = (
        f" LEFT JOIN {q(Membership._meta.db_table)} m ON m.user_id = u.id AND m.is_active"
        f" LEFT JOIN {q(Centre._meta.db_table)} c ON c.id = m.centre_id AND c.is_active"
    )
    return UserColumns(
        user.columns + membership.columns + centre.columns, joins, user, membership, centre
    )


@cache
def _by_id(db: str) -> str:
    columns = user_columns(db)
    return (
        f"SELECT {', '.join(columns.columns)}"
        f" FROM {connections[db].ops.quote_name(User._meta.db_table)} u{columns.joins}"
        " WHERE u.id = %s"
    )


def user_with_memberships(user_id) -> User | None:
    """The user ``user_id`` with their active memberships (centres loaded), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    db = router.db_for_read(User)
    with connections[db].cursor() as cursor:
        cursor.execute(_by_id(db), [pk])
        rows = cursor.fetchall()
    return user_columns(db).build(db, rows)


class _Preloads(Protocol):
    def preloaded_user(self, user_id) -> User | None: ...


# The session of the request whose user Django's auth is loading (set only for that call).
_loading_for: ContextVar[_Preloads | None] = ContextVar("hub_user_loading_for", default=None)


@contextmanager
def preloaded_from(session: _Preloads) -> Iterator[None]:
    """While Django's ``auth.get_user(request)`` runs: take the user the request's session
    read with it (hub.session_store), if it is the one the session names."""
    token = _loading_for.set(session)
    try:
        yield
    finally:
        _loading_for.reset(token)


class MembershipsBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), loading the user with one statement."""

    def get_user(self, user_id):
        session = _loading_for.get()
        user = session.preloaded_user(user_id) if session is not None else None
        if user is None:
            user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
