"""Registration.centre, a copy of the learner's centre (made NOT NULL, and indexed, in 0007:
a separate transaction, as PostgreSQL refuses to alter a table with deferred foreign-key
checks pending from the copy)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_learner_centre(apps, schema_editor):
    Learner = apps.get_model("centres", "Learner")
    Registration = apps.get_model("centres", "Registration")
    Registration.objects.update(
        centre_id=Subquery(Learner.objects.filter(pk=OuterRef("learner_id")).values("centre_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0005_certificate_delivery_and_rule_of_combination"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="centre",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="centres.centre",
            ),
        ),
        migrations.RunPython(copy_learner_centre, migrations.RunPython.noop),
    ]
