"""The lived-in demo (issue 14): batches and claims in every status, certificates on their way.

``seed_activity`` plays the story through the services, as its people would (see
``moderation.demo`` and ``claims.demo``), then moves each step back to its day, so the first
login finds work for every persona and an SLA dashboard with real figures:

* Northgate (posted certificates): a batch in every status, one With Moderator overdue, one
  the moderator holds whose Complete gives a learner the full diploma (R-CRT-2); a print run
  posted with its tracking reference, and one printed and due tomorrow (at risk);
* Riverside: a Complete batch never printed (late), one due soon, one deleted on request;
  claims Unsubmitted and Processed, the Processed one a full award waiting for print;
* Eastfield (digital certificates): a Complete batch whose certificates were delivered at
  once, one of them a qualification certificate.

Once only: on a hub where any batch or claim exists it changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from centres.demo import days_ago
from centres.models import User
from claims.demo import seed_claim_activity
from claims.models import Claim
from moderation.demo import Story, seed_batches
from moderation.models import Batch

from . import services
from .models import PrintRun

CARRIER = "Royal Mail Special Delivery"
TRACKING = "RM482915637GB"


def _print_and_post(story: Story, batch: Batch, name: str, done: float) -> None:
    """The certificates of a Complete batch, as the worker and the staff would handle them."""
    with days_ago(done - 0.05):
        services.certificates_issue_for_batch(batch_id=batch.pk)
        services.certificates_dispatch_for_batch(batch_id=batch.pk)
    if name == "posted":
        run = _run(story, when=done - 3)
        with days_ago(done - 4):
            services.print_run_mark_printed(run=run)
        with days_ago(done - 5):
            services.print_run_mark_posted(
                actor=story.staff, run=run, carrier=CARRIER, tracking_reference=TRACKING
            )
    elif name == "printed":
        run = _run(story, when=1)
        with days_ago(0.5):
            services.print_run_mark_printed(run=run)


def _run(story: Story, *, when: float) -> PrintRun:
    with days_ago(when):
        run = services.print_run_create(actor=story.staff, centre=story.centre)
        services.print_run_build(run_id=run.pk)
    return run


@transaction.atomic
def seed_activity() -> bool:
    """Load the demo's batches, claims and certificates once; False when not loaded now."""
    if not User.objects.filter(email="staff@demo.test").exists():
        return False  # no demo to bring to life
    if Batch.objects.exists() or Claim.objects.exists():
        return False
    seed_batches(on_complete=_print_and_post)
    seed_claim_activity()
    return True
