from django.apps import AppConfig


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from hub import outbox

        # Each notice's email is sent by the outbox once the change that caused it commits.
        outbox.register("notices.email", "notices.emails.send_notice_email")
