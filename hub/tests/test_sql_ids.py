"""hub.sql's id list: one parameter for any number of ids, on SQLite and PostgreSQL (issue 9)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from hub.sql import any_id_sql, id_list

pytestmark = pytest.mark.django_db


def _found(ids) -> list[int]:
    sql = f"SELECT id FROM {ContentType._meta.db_table} WHERE {any_id_sql('id', 'ids')} ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": id_list(ids)})
        return [pk for (pk,) in cursor.fetchall()]


def test_any_id_finds_exactly_the_ids_given():
    pks = sorted(ContentType.objects.values_list("pk", flat=True))
    assert len(pks) > 3
    assert _found(pks[1:3]) == pks[1:3]
    assert _found([pks[0], pks[0], 10**9]) == [pks[0]]  # repeats and unknown ids
    assert _found(str(pk) for pk in pks[:2]) == pks[:2]  # ids as text are numbers
    assert _found([]) == []
    assert _found(pks) == pks


def test_only_integers_reach_the_list():
    with pytest.raises((ValueError, TypeError)):
        id_list(["1}", "2"])
