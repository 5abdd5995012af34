from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from par.locks import register_lock_condition, register_lock_provider

        from .locks import batch_holds, batch_holds_sql, batch_locks

        # PAR refuses to remove a selection any live batch holds (R-PAR-3, R-BAT-9).
        register_lock_provider(batch_locks)
        register_lock_condition(batch_holds, sql=batch_holds_sql)
