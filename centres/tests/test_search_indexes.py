"""Learners' name and P number searches are served by trigram indexes on PostgreSQL
(centres 0004, 0010; issue 9): Select Units matches a word in the first name, surname OR P
number, and only with all three indexed can PostgreSQL answer the OR from the indexes (a
BitmapOr) instead of reading every learner."""

import pytest
from django.db import connection

from centres.models import Learner
from hub.sql import icontains_param, icontains_sql

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


@pytest.mark.django_db
def test_a_word_in_first_name_surname_or_p_number_is_a_bitmap_or_of_the_trigram_indexes(world):
    table = Learner._meta.db_table
    columns = ("l.first_name", "l.last_name", "l.membership_number")
    match = " OR ".join(icontains_sql(column, "term") for column in columns)
    sql = f"EXPLAIN SELECT COUNT(*) FROM {table} l WHERE ({match})"
    with connection.cursor() as cursor:
        # A few test rows: the planner would rather read them all; make it show what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, {"term": icontains_param("smi")})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan, plan
    for index in (
        "learner_first_name_trgm_idx",
        "learner_surname_trgm_idx",
        "learner_number_trgm_idx",
    ):
        assert index in plan, plan
