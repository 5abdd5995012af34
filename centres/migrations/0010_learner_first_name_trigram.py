"""Learners' first names from a trigram index too, for Select Units' search (issue 9).

Select Units to Pass on Batch matches every word of its search in the first name, surname OR
P number (``UPPER(col) LIKE UPPER('%term%')``). Surname and P number have trigram indexes
(0004); first name had none, so the OR could not be a BitmapOr of index scans and PostgreSQL
read all 30,000 learners three LIKEs each (the count ~12 ms and the page ~9 ms at the 20k
bench). Same form as 0004: a GIN trigram index on the same UPPER expression, PostgreSQL only
(SQLite has no pg_trgm and keeps scanning, which is fine at its sizes).
"""

from django.db import migrations

NAME = "learner_first_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON centres_learner "
        "USING gin (UPPER(first_name) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0009_registration_tally"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
