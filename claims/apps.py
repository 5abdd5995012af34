from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Grade claims"

    def ready(self):
        from par.locks import register_lock_condition, register_lock_provider

        from .locks import (
            claim_holds,
            claim_holds_sql,
            claim_lock_reason,
            claimed_selections,
            claimed_sql,
        )

        register_lock_provider(claimed_selections, sql=claimed_sql, reason=claim_lock_reason)

        from hub import outbox

        # Work queued by claims.services, done by hub.outbox's task once the change commits.
        outbox.register("claims.process", "claims.services.claim_process")
        for event in ("submitted", "sampled", "finalised", "withdrawn"):
            outbox.register(f"claims.email_{event}", f"claims.emails.claim_{event}")
        register_lock_condition(claim_holds, sql=claim_holds_sql)
