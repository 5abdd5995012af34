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


def posted_centre_certificates(world, *, learners: int = 0, completed_at=None) -> Batch:
    """A Complete batch of ``world.centre`` (which takes certificates by post), issued."""
    from centres.models import Centre

    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=False)
    batch = complete_batch(world, learners=learners, completed_at=completed_at)
    certificates_issue_for_batch(batch_id=batch.pk)
    return batch


def built_print_run(world):
    """A print run of the world's centre with its merged PDF built, as the outbox leaves it."""
    from certificates.services import print_run_build, print_run_create

    posted_centre_certificates(world)
    run = print_run_create(actor=world.staff, centre=world.centre)
    print_run_build(run_id=run.pk)
    run.refresh_from_db()
    return run


def full_award_qualification(qualification, *, min_credits: int = 12):
    """Give ``qualification`` a rule of combination its units (6 credits each) can meet."""
    qualification.min_credits = min_credits
    qualification.save(update_fields=["min_credits"])
    return qualification


def processed_award_claim(world, *, digital=False):
    """A claim whose processed grades complete the rule of combination for each candidate.

    Unit 0 alone is the rule (mandatory, its credits the minimum); the outbox messages the
    claim leaves (processing, then the award) run as the worker runs them.
    """
    from centres.models import Centre
    from claims.tests.conftest import finalised_claim, make_claim_world
    from hub import outbox
    from hub.models import OutboxMessage

    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=digital)
    cw = make_claim_world(world)
    first = cw.qualification.qualification_units.get(unit=cw.units[0])
    cw.qualification.qualification_units.update(mandatory=False)
    first.mandatory = True
    first.save(update_fields=["mandatory"])
    cw.qualification.min_credits = cw.units[0].credit
    cw.qualification.save(update_fields=["min_credits"])
    claim = finalised_claim(cw)
    for kind in ("claims.process", "certificates.award"):
        for message in OutboxMessage.objects.filter(kind=kind, done_at__isnull=True):
            assert outbox.deliver(message.pk)
    claim.refresh_from_db()
    return claim


def claim_award_certificate(world) -> Certificate:
    """A qualification certificate, PDF included, that a processed claim of world.centre earned."""
    return Certificate.objects.filter(claim=processed_award_claim(world)).order_by("pk").first()
