from django.apps import AppConfig


class ParConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "par"
