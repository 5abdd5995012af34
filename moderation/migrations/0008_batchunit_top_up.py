"""R-SMP-3: a learner-unit the moderator asked for with Insufficient sample (top-up)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    # Both 0007s (committed at the same time by two people): this one joins them.
    dependencies = [
        ("moderation", "0007_batchunit_to_fill"),
        ("moderation", "0007_restore_one_live_batch_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchunit",
            name="top_up",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="batchhistory",
            name="event",
            field=models.CharField(
                choices=[
                    ("created", "Batch started"),
                    ("transition", "Status changed"),
                    ("document", "File uploaded"),
                    ("document_removed", "File removed"),
                    ("unit_removed", "Learner-unit removed"),
                    ("override", "Document upload overridden"),
                    ("assigned", "Moderator assigned"),
                    ("deletion_requested", "Deletion requested"),
                    ("deleted", "Batch deleted"),
                    ("sla_extended", "SLA due date changed"),
                    ("sample_planned", "Slots to fill chosen"),
                    ("top_up", "Top-up asked for"),
                ],
                max_length=30,
            ),
        ),
    ]
