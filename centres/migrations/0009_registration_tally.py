"""RegistrationTally: current registrations per centre and qualification, kept by triggers.

PAR's lists and Select Units counted a centre's current registrations on every page view
(23,708 rows at the 20k bench: 1.5-3 ms of PostgreSQL each, half or more of those pages'
database time). The triggers (hub.tallies) keep the count in the writing transaction,
statement by statement on PostgreSQL and row by row on SQLite; the tally is filled from the
registrations once the triggers exist. The spec is written out here, not imported from the
model, so this migration keeps its meaning if the model changes.
"""

from django.db import migrations, models

from hub.tallies import Tally

TALLY = Tally(
    name="registration",
    source="centres_registration",
    table="centres_registrationtally",
    keys=("centre_id", "qualification_id"),
    where="is_current",
    watched=("is_current",),
)


def create_triggers(apps, schema_editor):
    TALLY.create(schema_editor)


def drop_triggers(apps, schema_editor):
    TALLY.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0008_learner_import_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistrationTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("centre_id", models.BigIntegerField()),
                ("qualification_id", models.BigIntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("centre_id", "qualification_id"), name="registration_tally_key"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
