from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from hub import outbox
        from moderation.dashboard import register_panel
        from moderation.signals import batch_transition_recorded

        from . import selectors
        from .receivers import queue_issue_on_complete

        # moderation sends this inside the transition's transaction, so the certificates'
        # outbox row commits with the Complete outcome (R-SLA-2, R-SLA-3).
        batch_transition_recorded.connect(
            queue_issue_on_complete, dispatch_uid="certificates.queue_issue_on_complete"
        )
        outbox.register("certificates.issue", "certificates.receivers.issue_and_dispatch")
        # R-CRT-1, R-CRT-2, R-CRT-4: work that staff actions and claims leave for later.
        for kind, handler in (
            ("certificates.award", "certificates_award_for_registrations"),
            ("certificates.render", "certificate_render"),
            ("certificates.print_run_build", "print_run_build"),
            ("certificates.email_posted", "print_run_email_posted"),
        ):
            outbox.register(kind, f"certificates.services.{handler}")
        # R-SLA-2 on the moderation dashboard: dispatches at risk or late, failed jobs.
        register_panel(
            template="certificates/_dashboard_panel.html",
            figures=selectors.dashboard_figures,
            links=selectors.dashboard_links,
        )
