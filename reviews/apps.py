from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Reviews of moderation"

    def ready(self) -> None:
        from hub import outbox

        # R-REV-3: certificates follow an "Outcome changed" decision in a worker once the
        # decision commits (reissued, revoked or newly awarded; R-CRT-4).
        outbox.register("reviews.certificates", "reviews.certificates.review_certificates")
