"""Reviews' background work: the SLA sweep beat runs (R-REV-2, R-SLA-3)."""

from __future__ import annotations

from celery import shared_task

from hub.locks import single_run

from . import alerts

# Longer than any sweep runs; a beat that died holding the lock frees it after this.
SWEEP_LOCK_SECONDS = 15 * 60


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
@single_run("review-sla-sweep", ttl=SWEEP_LOCK_SECONDS)
def sweep_review_sla() -> int:
    """Beat: alert on open reviews due soon or overdue (R-REV-2). A sweep that fails for
    good leaves its crossings unsent, and the next beat's sweep sends them."""
    return alerts.review_sla_sweep()
