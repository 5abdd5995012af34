"""Select Units' hand-written search (selectors._search_sql) finds what learner_search (the
ORM's) finds, for words shorter than a trigram, written apart so PostgreSQL scans for them
instead of reading the trigram indexes whole (issue 9), and for longer ones."""

import pytest
from django.db import connection

from centres.models import Learner
from centres.tests.factories import LearnerFactory
from moderation import selectors


@pytest.fixture
def named(world):
    for first, last in [("Jo", "Smith"), ("Kofi", "Smithson"), ("Ann", "Jones"), ("Zara", "Ali")]:
        LearnerFactory(centre=world.centre, first_name=first, last_name=last)


def found_by_sql(query):
    params = {}
    where = selectors._search_sql(query, params, "w")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id FROM {Learner._meta.db_table} w WHERE 1 = 1{where} ORDER BY w.id", params
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["jo", "J", "smi", "SMITH jo", "a li", "ann jon", "p", "%", "_o"])
def test_search_sql_finds_what_learner_search_finds(named, query):
    expected = list(
        Learner.objects.filter(selectors.learner_search(query, learner=""))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert found_by_sql(query) == expected
    assert expected or query in ("%", "_o")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_only_words_of_three_characters_or_more_are_matched_on_the_trigram_indexes(world):
    def plan(query):
        params = {}
        where = selectors._search_sql(query, params, "w")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # show what it can use
            cursor.execute(
                f"EXPLAIN SELECT COUNT(*) FROM {Learner._meta.db_table} w WHERE 1 = 1{where}",
                params,
            )
            return "\n".join(row[0] for row in cursor.fetchall())

    assert "BitmapOr" in plan("smi") and "learner_first_name_trgm_idx" in plan("smi")
    assert "trgm_idx" not in plan("jo")
