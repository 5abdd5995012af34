"""DeadlineAlert, moved here from certificates (issue 10): both clocks' alerts, moderation's
SLA and certificate dispatch, share it. State only: the table keeps its name
(certificates_deadlinealert), its constraints and its rows. The content type moves with the
model, so its permissions and the admin's log entries still point at it."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source="certificates", target="hub"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label=target, model="deadlinealert").exists():
        return
    ContentType.objects.using(db).filter(app_label=source, model="deadlinealert").update(
        app_label=target
    )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="hub", target="certificates")


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_deadlinealert_moved_to_hub"),
        ("claims", "0002_claim_history_centre_created_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hub", "0001_outbox_message"),
        ("moderation", "0006_batchhistory_unit_removed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeadlineAlert",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("sla_due_soon", "Moderation due soon"),
                                    ("sla_overdue", "Moderation overdue"),
                                    ("dispatch_at_risk", "Certificate dispatch at risk"),
                                    ("dispatch_late", "Certificate dispatch late"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("cycle", models.DateTimeField()),
                        (
                            "due",
                            models.DateTimeField(
                                help_text="The deadline as it stood when the alert was raised."
                            ),
                        ),
                        ("recipients", models.TextField(help_text="Comma-separated addresses.")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("claim", models.CharField(blank=True, db_index=True, max_length=32)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "batch",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadline_alerts",
                                to="moderation.batch",
                            ),
                        ),
                        (
                            "claim_source",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadline_alerts",
                                to="claims.claim",
                                verbose_name="claim",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "certificates_deadlinealert",
                        "ordering": ["-created_at", "-pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("batch", "kind", "cycle"),
                                name="deadlinealert_once_per_crossing",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("claim_source__isnull", False)),
                                fields=("claim_source", "kind", "cycle"),
                                name="deadlinealert_claim_once_per_crossing",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
