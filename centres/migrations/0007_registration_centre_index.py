"""Registration.centre NOT NULL, and the index PAR counts a centre's registrations from."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0006_registration_centre"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="centre",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="centres.centre",
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["centre", "qualification", "entry_type", "id"],
                name="registration_centre_idx",
            ),
        ),
    ]
