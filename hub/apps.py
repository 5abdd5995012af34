from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Hub"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import stamp_on_login

        user_logged_in.connect(stamp_on_login, dispatch_uid="hub-session-stamp-on-login")

        # Registers the outbox tasks with every Celery app, test workers' included.
        from . import tasks  # noqa: F401
