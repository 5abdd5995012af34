"""The claim history, newest first for one centre, read a page at a time off an index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                fields=["centre", "created_at", "id"], name="claim_centre_created_idx"
            ),
        ),
    ]
