"""Querysets compiled once (hub.prepared) answer as the ORM does, for each call's values."""

from datetime import timedelta

import pytest
from django.utils import timezone

from centres.models import Centre
from hub.prepared import Prepared


@pytest.fixture
def centres(db):
    now = timezone.now()
    made = [
        Centre.objects.create(number=f"9000{i}", name=f"Centre {i}", contact_email="c@x.test")
        for i in range(5)
    ]
    return made, now


def test_rows_take_each_calls_keys(centres):
    made, _ = centres
    by_number = Prepared(
        lambda low, high: (
            Centre.objects.filter(pk__gte=low, pk__lte=high)
            .order_by("-number")
            .values_list("pk", "number", "is_active")
        ),
        "int",
        "int",
    )
    for low, high in ((made[0].pk, made[2].pk), (made[3].pk, made[4].pk), (0, 0)):
        expected = list(
            Centre.objects.filter(pk__gte=low, pk__lte=high)
            .order_by("-number")
            .values_list("pk", "number", "is_active")
        )
        assert by_number.rows(low, high) == expected
    # Booleans come back as booleans on every database (SQLite stores integers).
    assert {type(row[2]) for row in by_number.rows(0, made[-1].pk)} == {bool}


def test_rows_with_joined_values(centres):
    """rows_with: the query's rows, converted, and the values joined to them, in one go."""
    made, _ = centres
    one = Prepared(
        lambda pk: Centre.objects.filter(pk=pk).values_list("number", "is_active"), "int"
    )
    rows = one.rows_with(
        made[1].pk,
        columns="n.total",
        joins="CROSS JOIN (SELECT COUNT(*) AS total FROM centres_centre WHERE id >= %s) n",
        params=[made[2].pk],
    )
    assert rows == [(made[1].number, True, 3)]
    assert type(rows[0][1]) is bool  # the query's own columns converted as rows() does
    assert one.rows_with(0, columns="1", joins="", params=[]) == []


def test_window_and_count(centres):
    made, _ = centres
    listed = Prepared(
        lambda low: Centre.objects.filter(pk__gte=low).order_by("number").values_list("number"),
        "int",
        window=True,
    )
    counted = Prepared(lambda low: Centre.objects.filter(pk__gte=low).values_list("pk"), "int")
    numbers = [c.number for c in sorted(made, key=lambda c: c.number)]
    assert listed.rows(made[0].pk, limit=2, offset=1) == [(n,) for n in numbers[1:3]]
    assert listed.rows(made[0].pk, limit=50, offset=0) == [(n,) for n in numbers]
    assert counted.count(made[0].pk) == 5
    assert counted.count(made[3].pk) == 2
    with pytest.raises(TypeError):
        listed.rows(made[0].pk)  # a windowed query needs its window


def test_dates_are_parameters_too(db, django_user_model):
    now = timezone.now()
    old = django_user_model.objects.create_user(email="old@x.test", password="pw-12345678")
    new = django_user_model.objects.create_user(email="new@x.test", password="pw-12345678")
    django_user_model.objects.filter(pk=old.pk).update(date_joined=now - timedelta(days=30))
    joined_since = Prepared(
        lambda since, low: (
            django_user_model.objects.filter(date_joined__gte=since, pk__gte=low)
            .order_by("pk")
            .values_list("email", "date_joined")
        ),
        "datetime",
        "int",
    )
    assert [e for e, _ in joined_since.rows(now - timedelta(days=1), 0)] == [new.email]
    rows = joined_since.rows(now - timedelta(days=60), 0)
    assert [e for e, _ in rows] == [old.email, new.email]
    assert rows[0][1] == now - timedelta(days=30)  # an aware datetime, as the ORM gives


def test_an_argument_not_in_the_parameters_is_refused(db):
    # The second key never reaches the SQL: the query would answer for any value of it.
    ignored = Prepared(
        lambda low, unused: Centre.objects.filter(pk__gte=low).values_list("pk"), "int", "int"
    )
    with pytest.raises(ValueError, match="not parameters"):
        ignored.rows(1, 2)


def test_a_thread_per_request_keeps_a_bounded_number_compiled(db):
    import threading

    from django.db import connections

    from hub import prepared

    counted = Prepared(lambda low: Centre.objects.filter(pk__gte=low).values_list("pk"), "int")

    def run():
        try:
            counted.count(0)
        finally:
            connections.close_all()

    for _ in range(prepared._KEPT + 5):
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    assert 0 < len(counted._compiled) <= prepared._KEPT


def test_a_small_stream_is_one_plain_query_and_a_big_one_the_cursor(centres, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made, _ = centres
    by_number = Prepared(
        lambda low: (
            Centre.objects.filter(pk__gte=low)
            .order_by("-number")
            .values_list("pk", "number", "is_active")
        ),
        "int",
    )
    expected = list(
        Centre.objects.filter(pk__gte=made[0].pk)
        .order_by("-number")
        .values_list("pk", "number", "is_active")
    )
    assert len(expected) == 5
    cursors = []
    chunked_cursor = connection.chunked_cursor

    def counting_chunked_cursor():
        cursors.append(1)
        return chunked_cursor()

    monkeypatch.setattr(connection, "chunked_cursor", counting_chunked_cursor)

    def streamed(chunk_size):
        cursors.clear()
        with CaptureQueriesContext(connection) as ctx:
            rows = list(by_number.stream(made[0].pk, chunk_size=chunk_size))
        return rows, len(cursors), [q["sql"] for q in ctx.captured_queries]

    # All the rows fit in one chunk (exactly, or with room): the LIMITed query alone.
    for chunk_size in (5, 50):
        rows, cursors_opened, sqls = streamed(chunk_size)
        assert rows == expected
        assert cursors_opened == 0
        assert len(sqls) == 1 and "LIMIT" in sqls[0]
    # One more row than a chunk: read again from the start through the streaming cursor.
    for chunk_size in (4, 2):
        rows, cursors_opened, sqls = streamed(chunk_size)
        assert rows == expected
        assert cursors_opened == 1
        assert len(sqls) == 2 and "LIMIT" in sqls[0] and "LIMIT" not in sqls[1]
    # Booleans converted on both paths (SQLite stores integers).
    assert {type(row[2]) for row in streamed(2)[0] + streamed(50)[0]} == {bool}
    assert list(by_number.stream(made[-1].pk + 1, chunk_size=2)) == []
