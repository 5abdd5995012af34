"""BatchTally: live batches per centre, status and moderator, kept by triggers.

The moderation queue and the batch list counted the open batches on every page view (10,000
at the bench: 1-2 ms of PostgreSQL each, over half the queue's database time). The triggers
(hub.tallies) keep the count in the writing transaction, statement by statement on
PostgreSQL and row by row on SQLite; the tally is filled from the batches once the triggers
exist. The spec is written out here, not imported from the model, so this migration keeps
its meaning if the model changes.
"""

from django.db import migrations, models

from hub.tallies import Tally

TALLY = Tally(
    name="batch",
    source="moderation_batch",
    table="moderation_batchtally",
    keys=("centre_id", "status", "moderator_id"),
    where="deleted_at IS NULL",
    watched=("deleted_at",),
    nullable=("moderator_id",),
)


def create_triggers(apps, schema_editor):
    TALLY.create(schema_editor)


def drop_triggers(apps, schema_editor):
    TALLY.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0008_batchunit_top_up"),
    ]

    operations = [
        migrations.CreateModel(
            name="BatchTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("centre_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=30)),
                ("moderator_id", models.BigIntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("centre_id", "status", "moderator_id"), name="batch_tally_key"
                    )
                ],
                "indexes": [
                    models.Index(fields=["moderator_id", "status"], name="batch_tally_queue_idx")
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
