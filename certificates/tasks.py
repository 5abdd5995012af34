"""Background work for certificates and their dispatch deadlines; tasks take primary keys.

Every task is idempotent, acknowledged late and rejected (so redelivered) if its worker dies
(R-SLA-3); failures retry with exponential backoff, and one that runs out of retries is
recorded as a ``FailedJob`` for admins to re-run.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_failure
from django.utils import timezone

from hub.locks import single_run

from . import alerts, services
from .models import FailedJob

RELIABLE = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
# Longer than any sweep runs; a beat that died holding the lock frees it after this.
SWEEP_LOCK_SECONDS = 15 * 60


@shared_task(**RELIABLE)
def issue_certificates(batch_id: int) -> int:
    """Create and render a Complete batch's certificates, then dispatch them."""
    created = services.certificates_issue_for_batch(batch_id=batch_id)
    dispatch_certificates.delay(batch_id)
    return created


@shared_task(**RELIABLE)
def dispatch_certificates(batch_id: int) -> bool:
    """Email the centre once that the batch's certificates are ready."""
    return services.certificates_dispatch_for_batch(batch_id=batch_id)


@shared_task(**RELIABLE)
@single_run("certificates-sweep", ttl=SWEEP_LOCK_SECONDS)
def sweep_certificates() -> dict:
    """Beat: redo lost issue/dispatch work, then alert on dispatches at risk or late."""
    to_issue, to_dispatch = services.certificates_to_heal()
    for batch_id in to_issue:
        issue_certificates.delay(batch_id)
    for batch_id in to_dispatch:
        dispatch_certificates.delay(batch_id)
    sent = alerts.dispatch_sweep()
    return {"issue": len(to_issue), "dispatch": len(to_dispatch), "alerts": sent}


@task_failure.connect
def record_failed_job(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    """Keep a task of this module that failed for good where admins can see and re-run it."""
    if sender is None or not sender.name.startswith(f"{__name__}."):
        return
    FailedJob.objects.create(
        task=sender.name,
        args=list(args or []),
        kwargs=dict(kwargs or {}),
        error=f"{type(exception).__name__}: {exception}",
        failed_at=timezone.now(),
    )
