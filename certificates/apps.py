from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from moderation.signals import batch_transitioned

        from .receivers import issue_on_complete

        # moderation sends this once a transition has committed (R-SLA-2, R-SLA-3).
        batch_transitioned.connect(issue_on_complete, dispatch_uid="certificates.issue_on_complete")
