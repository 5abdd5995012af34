from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "downloads"
    verbose_name = "Downloads"

    def ready(self) -> None:
        from hub import outbox

        # A prepared download is built by a worker once the request that asked for it commits.
        outbox.register("downloads.build", "downloads.building.build_download")
