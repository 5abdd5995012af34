"""DeadlineAlert moved to hub (hub/migrations/0002_deadlinealert.py): the model leaves this
app's state only; its table, certificates_deadlinealert, and every row stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_claim_dispatch_clock"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeadlineAlert")],
            database_operations=[],
        ),
    ]
