"""Complete batches with passed units, and their certificates."""

from __future__ import annotations

from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificates_issue_for_batch
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import bulk_learner_units, make_batch
from par.models import UnitSelection


def complete_batch(world, *, learners: int = 0, centre=None, completed_at=None) -> Batch:
    """A Complete batch whose units are passed on the PAR, as ``batch_set_outcome`` leaves it.

    ``learners`` puts that many bulk learners (every unit each) on it instead of world.learner.
    """
    centre = centre or world.centre
    selections = None
    if learners:
        selections = bulk_learner_units(centre, world.qualification, learners)
    batch = make_batch(
        world, BatchStatus.COMPLETE, moderator=world.moderator, centre=centre, selections=selections
    )
    completed_at = completed_at or timezone.now()
    Batch.objects.filter(pk=batch.pk).update(completed_at=completed_at, outcome_at=completed_at)
    UnitSelection.objects.filter(batch_units__batch=batch).update(
        result="pass", result_at=completed_at, result_source=f"Batch {batch.pk}"
    )
    batch.refresh_from_db()
    return batch


def issued_certificate(world, *, centre=None) -> Certificate:
    """One certificate, PDF included, for a fresh Complete batch of ``centre``."""
    batch = complete_batch(world, centre=centre)
    certificates_issue_for_batch(batch_id=batch.pk)
    return Certificate.objects.filter(batch=batch).first()
