"""Put back the partial unique index behind ``batchunit_one_live_batch`` (R-BAT-2).

0005 turned off ``db_index`` on ``BatchUnit.selection``. On PostgreSQL, Django's AlterField
then drops every index on that column, the constraint's partial unique index included,
while the migration state still lists the constraint: from 0005 on, nothing in the database
stopped one learner-unit from sitting on two live batches. SQLite rebuilt the table with
the constraint, so only PostgreSQL lost it. ``IF NOT EXISTS`` makes this a no-op wherever
the index survived.
"""

from django.db import migrations

CREATE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS batchunit_one_live_batch"
    " ON moderation_batchunit (selection_id) WHERE released_at IS NULL"
)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0006_batchhistory_unit_removed"),
    ]

    operations = [migrations.RunSQL(CREATE, reverse_sql=migrations.RunSQL.noop)]
