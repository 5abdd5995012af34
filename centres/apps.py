from django.apps import AppConfig


class CentresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "centres"
