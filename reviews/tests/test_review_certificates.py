"""R-REV-3 with R-CRT-4: an outcome changed on review reissues the certificates it affects
(new number, the old one "replaced", as the verify page says), revokes one left with no
result, and awards new ones through the normal path; the work runs once however often the
outbox delivers it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, CertificateKind, CertificateStatus
from certificates.tests.factories import full_award_qualification
from hub import outbox
from hub.models import OutboxMessage
from moderation.models import Batch
from par.models import UnitSelection
from reviews import services
from reviews.certificates import review_certificates
from reviews.models import ReviewStatus
from reviews.selectors import review_units

from .factories import make_review, make_reviewer, reviewable_batch, reviewable_claim


@pytest.fixture
def reviewer(world):
    return make_reviewer(world)


@pytest.fixture
def decide(reviewer, django_capture_on_commit_callbacks):
    """The reviewer's Outcome changed, its outbox work run once it commits (as in production)."""

    def run(review, results):
        with django_capture_on_commit_callbacks(execute=True):
            return services.review_change_outcome(
                actor=reviewer, review=review, results=results, comments="Changed on review."
            )

    return run


def _under_review(world, reviewer, **kwargs):
    return make_review(world, status=ReviewStatus.UNDER_REVIEW, reviewer=reviewer, **kwargs)


def test_r_rev_3_a_unit_no_longer_passed_reissues_the_batch_certificate(
    client, world, reviewer, decide
):
    batch = reviewable_batch(world, issued=True)
    old = Certificate.objects.get(batch=batch, learner=world.learner)
    assert len(old.units) == 4
    review = _under_review(world, reviewer, batch=batch)
    first = review_units(review)[0]
    decide(review, {first.key: ""})
    old.refresh_from_db()
    assert old.status == CertificateStatus.REPLACED and old.replaced_by is not None
    new = old.replaced_by
    assert new.status == CertificateStatus.VALID and new.number != old.number
    assert first.unit_code not in {u["code"] for u in new.units}
    assert len(new.units) == 3
    assert f"Review {review.pk}" in old.status_reason
    # The verify page of the old certificate shows the replacement.
    response = client.get(
        reverse("certificates:verify"), {"number": old.number, "code": old.verification_code}
    )
    assert "has been replaced" in response.content.decode()
    assert new.number in response.content.decode()


def test_r_rev_3_a_learner_left_with_no_result_has_the_certificate_revoked(world, reviewer, decide):
    batch = reviewable_batch(world, issued=True)
    old = Certificate.objects.get(batch=batch, learner=world.learner)
    review = _under_review(world, reviewer, batch=batch)
    decide(review, {u.key: "" for u in review_units(review)})
    old.refresh_from_db()
    assert old.status == CertificateStatus.REVOKED
    assert not Certificate.objects.filter(
        learner=world.learner, status=CertificateStatus.VALID
    ).exists()


def test_r_rev_3_the_certificate_work_runs_once_however_often_delivered(world, reviewer, decide):
    batch = reviewable_batch(world, issued=True)
    review = _under_review(world, reviewer, batch=batch)
    decide(review, {review_units(review)[0].key: ""})
    count = Certificate.objects.count()
    assert review_certificates(review_id=review.pk) == 0
    message = OutboxMessage.objects.get(kind="reviews.certificates")
    assert message.done_at is not None
    assert Certificate.objects.count() == count
    assert Certificate.objects.filter(status=CertificateStatus.REPLACED).count() == 1


def test_r_rev_3_a_unit_newly_passed_on_a_returned_batch_is_on_the_par(world, reviewer, decide):
    from moderation.models import BatchStatus
    from moderation.tests.factories import make_batch

    batch = make_batch(world, BatchStatus.RETURNED, moderator=world.moderator)
    Batch.objects.filter(pk=batch.pk).update(outcome_at=timezone.now())
    review = _under_review(world, reviewer, batch=batch)
    unit = review_units(review)[0]
    assert unit.result == ""
    decide(review, {unit.key: "pass"})
    assert UnitSelection.objects.get(pk=unit.selection_id).result == "pass"
    # Its certificate comes when the batch is Complete (the normal path); none before.
    assert not Certificate.objects.filter(batch=batch).exists()


def test_r_rev_3_a_full_award_that_no_longer_holds_becomes_a_unit_certificate(
    world, reviewer, decide
):
    # Four units of 6 credits: 24 credits is the rule, so every unit is needed.
    full_award_qualification(world.qualification, min_credits=24)
    batch = reviewable_batch(world, issued=True)
    award = Certificate.objects.get(batch=batch, learner=world.learner)
    assert award.kind == CertificateKind.QUALIFICATION
    review = _under_review(world, reviewer, batch=batch)
    decide(review, {review_units(review)[0].key: ""})
    award.refresh_from_db()
    assert award.status == CertificateStatus.REPLACED
    assert award.replaced_by.kind == CertificateKind.UNIT
    assert len(award.replaced_by.units) == 3


def test_r_rev_3_a_claim_grade_changed_reissues_the_full_award(world, reviewer, decide):
    from certificates.tests.factories import processed_award_claim

    claim = processed_award_claim(world)
    award = Certificate.objects.filter(claim=claim).order_by("pk").first()
    review = _under_review(world, reviewer, claim=claim)
    learner_rows = [
        u for u in review_units(review) if u.p_number == award.learner.membership_number
    ]
    changed = next(u for u in learner_rows if u.unit_code in {x["code"] for x in award.units})
    new_grade = "distinction" if changed.result != "distinction" else "merit"
    decide(review, {changed.key: new_grade})
    award.refresh_from_db()
    assert award.status == CertificateStatus.REPLACED
    units = {u["code"]: u["result"] for u in award.replaced_by.units}
    assert units[changed.unit_code] == new_grade.capitalize()


def test_r_rev_3_a_claim_unit_no_longer_achieved_revokes_the_full_award(world, reviewer, decide):
    from certificates.tests.factories import processed_award_claim

    claim = processed_award_claim(world)
    award = Certificate.objects.filter(claim=claim).order_by("pk").first()
    review = _under_review(world, reviewer, claim=claim)
    rows = [
        u
        for u in review_units(review)
        if u.p_number == award.learner.membership_number
        and u.unit_code in {x["code"] for x in award.units}
    ]
    decide(review, {u.key: "" for u in rows})
    award.refresh_from_db()
    assert award.status == CertificateStatus.REVOKED


def test_r_rev_3_a_newly_completed_award_goes_through_the_normal_path(world, reviewer, decide):
    claim = reviewable_claim(world)
    review = _under_review(world, reviewer, claim=claim)
    # Unit 0 of 6 credits becomes the whole rule; one learner's line is then enough.
    qualification = claim.qualification
    first = qualification.qualification_units.order_by("position").first()
    qualification.qualification_units.update(mandatory=False)
    first.mandatory = True
    first.save(update_fields=["mandatory"])
    full_award_qualification(qualification, min_credits=first.unit.credit)
    assert not Certificate.objects.filter(qualification=qualification).exists()
    row = next(u for u in review_units(review) if u.unit_code == first.unit.code)
    new = "distinction" if row.result != "distinction" else "merit"
    decide(review, {row.key: new})
    assert Certificate.objects.filter(
        qualification=qualification, kind=CertificateKind.QUALIFICATION
    ).exists()


def test_the_outbox_message_is_delivered_by_the_sweep_if_the_task_never_ran(
    world, reviewer, settings, decide
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    batch = reviewable_batch(world, issued=True)
    review = _under_review(world, reviewer, batch=batch)
    decide(review, {review_units(review)[0].key: ""})
    assert outbox.sweep() >= 1
    assert Certificate.objects.filter(status=CertificateStatus.REPLACED).count() == 1
