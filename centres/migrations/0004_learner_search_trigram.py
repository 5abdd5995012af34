"""Learners' search (surname or P number, any part, any case) from trigram indexes.

The search is ``UPPER(col) LIKE UPPER('%term%')``; a B-tree cannot serve a leading
wildcard, so on PostgreSQL at 20,000 learners every search (and its page count) read the
whole table. GIN trigram indexes on the same UPPER expressions answer it from the matches.
PostgreSQL only: SQLite has no pg_trgm and keeps scanning, which is fine at its sizes.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "learner_surname_trgm_idx": "last_name",
    "learner_number_trgm_idx": "membership_number",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON centres_learner "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0003_learner_list_sort_indexes"),
    ]

    operations = [
        # A no-op on other databases.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
