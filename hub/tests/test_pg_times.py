"""Times from PostgreSQL go through psycopg's compiled parser (hub/postgresql/base.py)."""

import datetime

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's timestamptz loader"
)

SAMPLES = [
    "2026-03-29 00:59:59.999999+00",  # the last instant before British Summer Time
    "2026-03-29 01:00:00+00",
    "2026-10-25 00:30:00.5+00",
    "1999-12-31 23:59:59+00",
    "2026-11-24 09:00:00-05",  # another zone's text: the same instant in UTC
]


@pytest.mark.django_db
def test_times_load_as_djangos_loader_loads_them():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    from hub.postgresql.base import UTCTimestamptzLoader

    select = (
        "SELECT " + ", ".join(f"'{text}'::timestamptz" for text in SAMPLES) + ", NULL::timestamptz"
    )
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0) is UTCTimestamptzLoader
        cursor.execute(select)
        fast = cursor.fetchone()
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own, on this cursor only
        cursor.execute(select)
        django_loaded = cursor.fetchone()
    assert fast == django_loaded
    assert [value.tzinfo for value in fast[:-1]] == [datetime.UTC] * len(SAMPLES)
    assert fast[-1] is None
    assert fast[4] == datetime.datetime(2026, 11, 24, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_a_model_round_trips_its_times(django_user_model):
    when = datetime.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=datetime.UTC)
    user = django_user_model.objects.create(email="times@example.test", date_joined=when)
    loaded = django_user_model.objects.get(pk=user.pk)
    assert loaded.date_joined == when and loaded.date_joined.tzinfo is datetime.UTC
