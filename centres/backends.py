"""The log-in backend: a request's user and their active memberships in one statement.

Every page behind login needs the user (Django's auth loads them from the session's user
id through the backend's ``get_user``) and their active centre memberships with the
centres (CurrentCentreMiddleware). Through the ORM that was two statements and about
1.4 ms of Python per request just to build them, more than the rest of a trivial page;
here one plain SQL statement reads both, and rows become model instances as the ORM
would make them (``from_db``, with the database's converters). Nothing is cached between
requests: a revoked membership, a deactivated centre or user, a changed password take
effect on the user's next request (issue 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

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
        return self.model.from_db(db, self.attnames, values)


@dataclass(frozen=True)
class _Statement:
    sql: str
    user: _Table
    membership: _Table
    centre: _Table


@cache
def _statement(vendor_alias: str) -> _Statement:
    connection = connections[vendor_alias]
    q = connection.ops.quote_name
    user = _Table(User, "u", connection)
    membership = _Table(Membership, "m", connection)
    centre = _Table(Centre, "c", connection)
    # The user, with a row per active membership (the centre's columns NULL when the centre
    # is not active), or one row of NULLs for none. Sorted in Python: PostgreSQL plans this
    # statement on every request, and an ORDER BY makes the plan dearer than the sort.
    sql = (
        f"SELECT {', '.join(user.columns + membership.columns + centre.columns)}"
        f" FROM {q(User._meta.db_table)} u"
        f" LEFT JOIN {q(Membership._meta.db_table)} m ON m.user_id = u.id AND m.is_active"
        f" LEFT JOIN {q(Centre._meta.db_table)} c ON c.id = m.centre_id AND c.is_active"
        " WHERE u.id = %s"
    )
    return _Statement(sql, user, membership, centre)


def user_with_memberships(user_id) -> User | None:
    """The user ``user_id`` with their active memberships (centres loaded), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    db = router.db_for_read(User)
    connection = connections[db]
    statement = _statement(db)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    user_end = len(statement.user.attnames)
    centre_start = user_end + len(statement.membership.attnames)
    user = statement.user.build(db, rows[0][:user_end], connection)
    memberships = []
    for row in rows:
        if row[centre_start] is None:  # no active membership, or not at an active centre
            continue
        membership = statement.membership.build(db, row[user_end:centre_start], connection)
        membership.centre = statement.centre.build(db, row[centre_start:], connection)
        membership.user = user
        memberships.append(membership)
    # Membership's own order (Meta.ordering: centre name; one user).
    memberships.sort(key=lambda m: (m.centre.name, m.pk))
    setattr(user, MEMBERSHIPS_ATTR, memberships)
    return user


class MembershipsBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), loading the user with one statement."""

    def get_user(self, user_id):
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
