"""PAR's lists: each learner's current registration on a qualification, read from an index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["learner", "qualification", "id"],
                name="registration_current_idx",
            ),
        ),
    ]
