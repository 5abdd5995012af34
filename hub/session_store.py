"""The session engine: Django's database sessions, read with the user in one statement.

Every request behind login reads its session, then its user and their memberships. Django's
database backend builds the first read through the ORM (``Session.objects.get(...)``,
about 0.45 ms of Python for a one-row primary-key lookup) and the log-in backend makes the
second its own statement. Here the session row is read with plain SQL, joined to the user
the session belongs to and their active memberships (``centres.backends.user_columns``),
one round trip for all three (and one statement for PostgreSQL to prepare: its text is the
same on every request, so the connection's prepared statement serves it). The table
(``hub.models.Session``) is Django's with a ``user`` column, written from the session's
data on every save; the log-in backend takes the user read here only when it is the one
the session data names, and Django's auth still checks it against the password hash.

Writes, deletes, key cycling and expiry are Django's own, so a logout or a flushed session
ends at once in every process, as before; nothing is kept between requests (issue 9).
"""

from __future__ import annotations

import json
from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone

try:
    from psycopg.pq import Format

    BINARY = Format.BINARY
except ImportError:  # psycopg is only needed on PostgreSQL
    BINARY = None

# Session texts already decoded in this process, with their data as JSON (SessionStore.decode).
_decoded: dict[str, str] = {}
_DECODED_KEPT = 2048


@receiver(setting_changed)
def _forget_decoded(*, setting, **kwargs):
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"):
        _decoded.clear()


@cache
def _select(db: str) -> str:
    from centres.backends import user_columns
    from centres.models import User
    from hub.models import Session

    q = connections[db].ops.quote_name
    user = user_columns(db)
    return (
        f"SELECT s.{q('session_data')}, {', '.join(user.columns)}"
        f" FROM {q(Session._meta.db_table)} s"
        f" LEFT JOIN {q(User._meta.db_table)} u ON u.id = s.{q('user_id')}{user.joins}"
        f" WHERE s.{q('session_key')} = %s AND s.{q('expire_date')} > %s"
    )


def _user_id(data: dict):
    """The id of the user ``data`` is logged in as (Django's auth key), or None."""
    from centres.models import User

    value = data.get(SESSION_KEY)
    if value is None:
        return None
    try:
        return User._meta.pk.to_python(value)
    except ValidationError:
        return None


class SessionStore(DBStore):
    # The rows of the user the last load read with the session, until taken.
    _user_rows: list | None = None

    @classmethod
    def get_model_class(cls):
        from hub.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def load(self) -> dict:
        db = router.db_for_read(self.model)
        connection = connections[db]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The row's 29 columns come back in PostgreSQL's binary format: psycopg
                # reads numbers, flags and times from it without parsing text, ~20 us of
                # the ~100 us this statement costs Python on every request behind login.
                cursor.cursor.format = BINARY
            cursor.execute(
                _select(db),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            rows = cursor.fetchall()
        if not rows:
            # As Django's: an unknown or expired key is dropped, a new one is made on save.
            self._user_rows = None
            self._session_key = None
            return {}
        self._user_rows = (db, rows)
        return self.decode(rows[0][0])

    def decode(self, session_data):
        # The same signed text decodes to the same data: checked and parsed once per
        # process (~15 us: the signature's HMAC, base64, JSON), then handed out as a new
        # dict each time (a session is changed in place). Bounded, oldest dropped first.
        # Any other text, a tampered one included, goes through Django's decode as before.
        known = _decoded.get(session_data)
        if known is not None:
            return json.loads(known)
        data = super().decode(session_data)
        if data:
            if len(_decoded) >= _DECODED_KEPT:
                del _decoded[next(iter(_decoded))]
            _decoded[session_data] = json.dumps(data)
        return data

    def preloaded_user(self, user_id):
        """The user read with this session, with their memberships, if it is ``user_id``;
        else None. Once: a later call (a new log-in in the same request) reads afresh."""
        loaded, self._user_rows = self._user_rows, None
        if loaded is None:
            return None
        from centres.backends import user_columns

        db, rows = loaded
        user = user_columns(db).build(db, rows, start=1)
        if user is None or str(user.pk) != str(user_id):
            return None
        return user
