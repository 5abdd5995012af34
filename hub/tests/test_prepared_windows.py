"""Issue 9: a windowed hub.prepared query gives the ORM's rows, planned once per connection."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centres.models import Centre
from hub.prepared import Prepared

pytestmark = pytest.mark.django_db


def build(low):
    return Centre.objects.filter(pk__gte=low).order_by("-number", "pk").values_list("pk", "name")


def test_every_window_gives_the_rows_prepared_gives():
    """First, middle, last (short) and past-the-end windows: the same rows, in order."""
    made = [
        Centre.objects.create(number=f"7710{i}", name=f"Window {i}", contact_email="w@x.test")
        for i in range(7)
    ]
    plain, planned = Prepared(build, "int", window=True), Prepared(build, "int", window=True)
    for limit, offset in [(3, 0), (3, 3), (3, 6), (1, 6), (2, 5), (3, 9), (7, 0)]:
        expected = list(build(made[0].pk)[offset : offset + limit])  # the ORM's own slice
        assert planned.rows(made[0].pk, limit=limit, offset=offset) == expected
        assert plain.rows(made[0].pk, limit=limit, offset=offset) == expected
    assert [pk for pk, _ in planned.rows(made[0].pk, limit=3, offset=0)] == [
        c.pk for c in reversed(made[4:])
    ]


def test_the_page_size_is_written_and_the_offset_is_a_parameter():
    """The size is in the text (an int), the offset goes through a subquery: one query."""
    Centre.objects.create(number="77200", name="Window", contact_email="w@x.test")
    planned = Prepared(build, "int", window=True)
    with CaptureQueriesContext(connection) as queries:
        planned.rows(0, limit=50, offset=123456)
    (query,) = queries.captured_queries
    assert "LIMIT 50 OFFSET (SELECT CAST(" in query["sql"]
    assert "123456" in query["sql"].rsplit("OFFSET", 1)[1]  # the parameter, as sent
    with pytest.raises(TypeError, match="limit and offset"):
        planned.rows(0)
