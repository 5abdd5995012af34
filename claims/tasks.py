"""Background work for claims. Tasks take primary keys and call one service."""

from celery import shared_task

from .services import claim_process


@shared_task(acks_late=True)
def process_claim(claim_pk: int) -> bool:
    """Post a Finalised claim's grades to the PAR (R-CLM-10); safe to run twice."""
    return claim_process(claim_id=claim_pk)
