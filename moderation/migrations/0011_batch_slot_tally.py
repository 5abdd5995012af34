"""BatchSlotTally: a batch's live slots by slot to fill and top-up, kept by triggers.

The batch page and the review counted the batch's learner-units on every view (2,000 at the
bench: an index scan with a heap visit each, ~0.35 ms of PostgreSQL). The triggers
(hub.tallies) keep the count in the writing transaction, statement by statement on
PostgreSQL and row by row on SQLite; the tally is filled from the learner-units once the
triggers exist. The slots to fill and top-ups still without a file are counted from a
partial index of those alone. The spec is written out here, not imported from the model, so
this migration keeps its meaning if the model changes.
"""

from django.db import migrations, models

from hub.tallies import Tally

TALLY = Tally(
    name="batchslot",
    source="moderation_batchunit",
    table="moderation_batchslottally",
    keys=("batch_id", "to_fill", "top_up"),
    where="released_at IS NULL",
    watched=("released_at",),
)


def create_triggers(apps, schema_editor):
    TALLY.create(schema_editor)


def drop_triggers(apps, schema_editor):
    TALLY.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0010_batch_moderator_decided_idx"),
        ("par", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BatchSlotTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("batch_id", models.BigIntegerField()),
                ("to_fill", models.BooleanField()),
                ("top_up", models.BooleanField()),
                ("n", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="batchunit",
            index=models.Index(
                condition=models.Q(
                    ("released_at__isnull", True),
                    models.Q(("to_fill", True), ("top_up", True), _connector="OR"),
                ),
                fields=["batch"],
                name="batchunit_marked_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="batchslottally",
            constraint=models.UniqueConstraint(
                fields=("batch_id", "to_fill", "top_up"), name="batchslot_tally_key"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
