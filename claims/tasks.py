"""Background work for claims. Tasks take primary keys and call one service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from hub.locks import single_run

from .selectors import claims_awaiting_processing
from .services import claim_process

# Long enough that the task queued at finalising has had its chance.
PROCESSING_GRACE = timedelta(minutes=10)


@shared_task(acks_late=True)
def process_claim(claim_pk: int) -> bool:
    """Post a Finalised claim's grades to the PAR (R-CLM-10); safe to run twice."""
    return claim_process(claim_id=claim_pk)


@shared_task
@single_run("claims-processing-sweep", ttl=15 * 60)
def sweep_finalised_claims() -> int:
    """Beat: process Finalised claims whose processing message was lost (R-SLA-3)."""
    claim_ids = list(
        claims_awaiting_processing(older_than=timezone.now() - PROCESSING_GRACE).values_list(
            "pk", flat=True
        )[:500]
    )
    # claim_process locks and re-checks each claim, so a sweep racing the queued task,
    # or a second beat, processes nothing twice.
    return sum(claim_process(claim_id=pk) for pk in claim_ids)
