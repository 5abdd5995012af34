"""`seed_demo` at scale: the options load what they say, the same rows every time."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from claims.models import Claim, ClaimLine, ClaimStatus
from moderation.models import AWAITING_MODERATOR, Batch, BatchDocument, BatchStatus, DocumentKind
from par.models import UnitSelection

pytestmark = pytest.mark.django_db


def _seed():
    call_command(
        "seed_demo",
        "--quiet",
        learners=30,
        selected_units=4,
        big_batch=25,
        open_batches=10,
        big_claim=8,
    )


def test_seed_demo_scale_options_load_the_sizes_asked_for():
    _seed()
    learners_on_par = UnitSelection.objects.filter(
        registration__learner__centre__number="10001",
        registration__qualification__code="CMI-L5-DML",
    )
    # 30 learners x 4 selected units, plus the big batches' 50 learner-units taken from them.
    assert learners_on_par.values("registration").distinct().count() >= 30

    # The big batches come first: Draft, Centre Completing, and the one under review.
    draft, completing, review = Batch.objects.order_by("pk")[:3]
    assert (draft.status, completing.status) == (BatchStatus.DRAFT, BatchStatus.CENTRE_COMPLETING)
    assert review.moderator.email == "moderator@demo.test"
    assert {draft.centre.number, completing.centre.number} == {"10001"}
    assert (draft.units.count(), completing.units.count(), review.units.count()) == (0, 25, 25)
    assert draft.missing_documents() == []  # Select Units to Pass on Batch opens straight away
    assert completing.sample_rule().uploaded == 4  # 15 % of 25, rounded up
    assert review.status == BatchStatus.WITH_MODERATOR
    assert review.sample_rule().met

    open_batches = Batch.objects.filter(status__in=AWAITING_MODERATOR).exclude(pk=review.pk)
    assert open_batches.count() == 10
    by_centre = dict(open_batches.values_list("centre__number").annotate(n=Count("pk")).order_by())
    assert by_centre == {"10001": 4, "10002": 3, "10003": 3}
    assert open_batches.filter(moderator__isnull=True).count() == 5
    assert open_batches.filter(status=BatchStatus.RESUBMITTED).count() == 2
    for batch in open_batches:
        assert batch.units.count() == 2
        assert batch.missing_documents() == []
    # No learner-unit is on two live batches (R-BAT-4) and every sample has its unit.
    assert (
        BatchDocument.objects.filter(kind=DocumentKind.SAMPLE).count()
        == 4 + review.sample_required + 10
    )

    claim = Claim.objects.get(centre__number="10001", status=ClaimStatus.UNSUBMITTED)
    assert claim.lines.count() == 8
    assert set(claim.lines.values_list("grade", flat=True)) == {"pass", "merit", "distinction"}


def test_seed_demo_scale_is_deterministic():
    _seed()
    first = list(
        ClaimLine.objects.order_by("pk").values_list(
            "registration__learner__last_name", "unit__code", "grade"
        )
    )
    statuses = list(Batch.objects.order_by("pk").values_list("status", "moderator_id"))
    ClaimLine.objects.all().delete()
    Batch.objects.all().delete()
    Claim.objects.all().delete()
    from centres.models import Learner

    Learner.objects.all().delete()
    _seed()
    assert (
        list(
            ClaimLine.objects.order_by("pk").values_list(
                "registration__learner__last_name", "unit__code", "grade"
            )
        )
        == first
    )
    assert [s for s, _ in Batch.objects.order_by("pk").values_list("status", "moderator_id")] == [
        s for s, _ in statuses
    ]
