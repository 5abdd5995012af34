from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_on_login

        user_logged_in.connect(stamp_on_login, dispatch_uid="hub-session-stamp-on-login")

        from django.core.signals import request_started

        from .dbhealth import skip_health_check_when_quiet

        # After Django's own receiver (connected when django.db is imported), which re-arms
        # the health check that this replaces by a poll of the socket when it is quiet.
        request_started.connect(
            skip_health_check_when_quiet, dispatch_uid="hub-skip-health-check-when-quiet"
        )

        # Registers the outbox tasks with every Celery app, test workers' included.
        from . import tasks  # noqa: F401
