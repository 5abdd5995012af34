from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from par.locks import register_lock_condition, register_lock_provider

        from .locks import (
            batch_holds,
            batch_holds_sql,
            batch_lock_reason,
            batch_locks,
            batch_locks_sql,
        )

        # PAR refuses to remove a selection any live batch holds (R-PAR-3, R-BAT-9).
        register_lock_provider(batch_locks, sql=batch_locks_sql, reason=batch_lock_reason)
        register_lock_condition(batch_holds, sql=batch_holds_sql)
