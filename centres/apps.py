from django.apps import AppConfig


class CentresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "centres"

    def ready(self) -> None:
        from hub import outbox

        # Staff emails queued by centres.services, sent by a worker after the commit.
        outbox.register("centres.staff_invitation", "centres.emails.send_staff_invitation")
        outbox.register("centres.staff_access_granted", "centres.emails.send_staff_access_granted")
        outbox.register("centres.password_reset", "centres.emails.send_password_reset")
        # A learner import file, run by a worker: longer than a request may take.
        outbox.register("centres.learner_import", "centres.importing.run_learner_import_job")
