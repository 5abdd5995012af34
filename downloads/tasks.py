"""Beat's sweep of prepared downloads: a thin task under its lock (hub.locks)."""

from celery import shared_task

from hub.locks import single_run

from . import services


@shared_task(acks_late=True)
@single_run("download-sweep", ttl=30 * 60)
def download_sweep() -> int:
    """Beat: expired builds lose their zip; abandoned ones are marked Failed."""
    return services.downloads_expire()
