"""Issue 15's review of moderation in Chromium, on the demo as `make run` loads it.

The centre asks for a review of a Complete batch with reasons and a file; the awarding
body's admin assigns a reviewer in Django admin (never the batch's moderator); the reviewer
finds it under "Reviews", starts it and changes the outcome of one learner-unit; the
centre sees "Outcome changed" with the history, the PAR no longer shows that unit passed,
and the verify page of the learner's old certificate says it was replaced (R-REV-1..3,
R-CRT-4, R-NEW-3). And after the window, the batch page says when reviews closed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from centres.demo import DEMO_PASSWORD
from centres.models import BodyRole, User
from certificates.models import Certificate, CertificateStatus
from claims.models import Claim, ClaimStatus, Grade
from moderation.models import Batch, BatchStatus
from moderation.tests.factories import PDF_BYTES
from reviews.models import Review, ReviewStatus
from reviews.selectors import review_window, window_closes_on
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORTHGATE = "10001"
REASONS = "The moderator marked unit work that meets every criterion; see the evidence."


def as_user(page, live_server, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_server, User.objects.get(email=email), DEMO_PASSWORD)


def reviewable_batch_with_a_certificate() -> tuple[Batch, Certificate]:
    """A Northgate Complete batch open to review, and a unit certificate of it carrying
    more than one unit: taking one away reissues it rather than revoking it."""
    batches = Batch.objects.filter(centre__number=NORTHGATE, status=BatchStatus.COMPLETE).order_by(
        "-outcome_at", "-pk"
    )
    for batch in batches:
        if not review_window(batch=batch).can_request:
            continue
        for certificate in Certificate.objects.filter(
            batch=batch, status=CertificateStatus.VALID
        ).order_by("pk"):
            if len(certificate.units) > 1:
                return batch, certificate
    raise AssertionError("The demo has no Complete Northgate batch with a multi-unit certificate")


def a_reviewer(batch: Batch) -> User:
    """An awarding-body reviewer who is not the batch's moderator (R-REV-2)."""
    return (
        User.objects.filter(body_role__in=[BodyRole.MODERATOR, BodyRole.ASSESSOR], is_active=True)
        .exclude(pk=batch.moderator_id)
        .filter(email__endswith="@demo.test")
        .order_by("email")
        .first()
    )


def test_review_requested_assigned_and_outcome_changed_on_the_demo(page, live_server, settings):
    # Outbox work (notices, certificates) runs in the live server's thread once each
    # transaction commits, as the worker would run it.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", "--quiet")
    batch, certificate = reviewable_batch_with_a_certificate()
    learner = certificate.learner
    unit_code = certificate.units[-1]["code"]
    reviewer = a_reviewer(batch)
    assert reviewer is not None

    # The centre asks, from the batch page, with reasons and a file (R-REV-1).
    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    panel = page.get_by_test_id("review-panel")
    closes = f"{window_closes_on(batch.outcome_at):%-d %B %Y}"
    expect(panel).to_contain_text(f"until {closes}")
    assert_accessible(page)
    panel.get_by_role("link", name="Request a review").click()
    page.get_by_role("heading", name=f"Request a review of Batch {batch.pk}").wait_for()
    # Nothing typed: the error summary, and the file chosen is kept (issue 14).
    page.get_by_label("Evidence (optional)").set_input_files(
        {"name": "second marking.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Request a review").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Enter why the outcome should be reviewed")
    expect(page.get_by_test_id("kept-file")).to_contain_text("second marking.pdf")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter why the outcome should be reviewed").click()
    expect(page.get_by_label("Why should the outcome be reviewed?")).to_be_focused()
    page.get_by_label("Why should the outcome be reviewed?").fill(REASONS)
    page.get_by_role("button", name="Request a review").click()
    page.get_by_role("heading", name=f"Review of Batch {batch.pk}").wait_for()
    expect(page.get_by_test_id("review-status")).to_have_text("Requested")
    expect(page.get_by_test_id("review-reasons")).to_contain_text(REASONS)
    expect(page.get_by_test_id("review-evidence")).to_have_text("second marking.pdf")
    assert_accessible(page)
    review = Review.objects.get(batch=batch, status=ReviewStatus.REQUESTED)

    # The awarding body's admin assigns a reviewer in Django admin (R-REV-2).
    as_user(page, live_server, "staff@demo.test")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    page.get_by_label("Reviewer").select_option(str(reviewer.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist").wait_for()
    review.refresh_from_db()
    assert review.reviewer == reviewer

    # The reviewer finds it under "Reviews", starts it and changes one learner-unit.
    as_user(page, live_server, reviewer.email)
    page.get_by_role("link", name="Reviews").first.click()
    page.get_by_role("heading", name="Reviews", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=f"Batch {batch.pk}").click()
    expect(page.get_by_test_id("review-reasons")).to_contain_text(REASONS)
    with page.expect_download() as info:
        page.get_by_test_id("review-evidence").click()
    assert info.value.suggested_filename == "second marking.pdf"
    page.get_by_role("button", name="Start review").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Under review")
    page.get_by_label("Outcome changed: set the new results below").check()
    page.get_by_label("Comments").fill("The work for this unit does not meet criterion 2.1.")
    page.get_by_label(
        f"New result for {learner.full_name} ({learner.membership_number}) {unit_code}"
    ).select_option(label="Not passed")
    assert_accessible(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Outcome changed")
    expect(page.get_by_test_id("review-lines")).to_contain_text(unit_code)

    # The centre sees "Outcome changed", what changed, and every step (R-NEW-3).
    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")
    page.get_by_test_id("review-panel").get_by_role("link", name=f"See review {review.pk}").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Outcome changed")
    lines = page.get_by_test_id("review-lines")
    expect(lines).to_contain_text(learner.full_name)
    expect(lines.locator("tr", has_text=unit_code)).to_contain_text(re.compile("Pass.*Not passed"))
    history = page.get_by_test_id("review-history")
    for event in ("Review requested", "Reviewer assigned", "Under review", "Outcome changed"):
        expect(history).to_contain_text(event)
    assert_accessible(page)

    # The PAR no longer shows the unit passed; its siblings still are (R-REV-3).
    page.goto(f"{live_server.url}/par/learners/{learner.pk}/")
    row = page.locator("tr", has_text=unit_code)
    expect(row).not_to_contain_text("Pass")
    kept = certificate.units[0]["code"]
    expect(page.locator("tr", has_text=kept)).to_contain_text("Pass")

    # The old certificate's verify page says it was replaced (R-CRT-4).
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REPLACED
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/certificates/verify/")
    page.get_by_label("Certificate number").fill(certificate.number)
    page.get_by_label("Verification code").fill(certificate.display_code)
    page.get_by_role("button", name="Verify").click()
    page.get_by_role(
        "heading", name=f"Certificate {certificate.number} has been replaced"
    ).wait_for()
    expect(page.locator("main")).to_contain_text(certificate.replaced_by.number)
    assert_accessible(page)


def test_after_the_window_the_batch_page_says_when_reviews_closed(page, live_server):
    """R-REV-1: no "Request a review" once the window has passed; the date it closed."""
    call_command("seed_demo", "--quiet")
    batch = (
        Batch.objects.filter(
            centre__number=NORTHGATE, status=BatchStatus.COMPLETE, reviews__isnull=True
        )
        .order_by("outcome_at", "pk")
        .first()
    )
    long_ago = timezone.now() - timedelta(days=200)
    Batch.objects.filter(pk=batch.pk).update(outcome_at=long_ago, completed_at=long_ago)

    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/moderation/{batch.pk}/")

    closed = f"Reviews closed on {window_closes_on(long_ago):%-d %B %Y}."
    expect(page.get_by_test_id("reviews-closed")).to_have_text(closed)
    expect(page.get_by_role("link", name="Request a review")).to_have_count(0)
    assert_accessible(page)


def test_claim_review_changes_a_grade_on_the_demo(page, live_server, settings):
    """R-REV-1..3 for a claim: from the Claims section, a line the assessor agreed at a lower
    grade than claimed is reviewed by someone other than that assessor and raised; the PAR
    shows the new grade."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", "--quiet")
    claim = (
        Claim.objects.filter(centre__number=NORTHGATE, status=ClaimStatus.PROCESSED)
        .order_by("pk")
        .first()
    )
    line = next(
        line
        for line in claim.lines.select_related("registration__learner", "unit").order_by("pk")
        if line.outcome == Grade.PASS and line.grade == Grade.MERIT
    )
    learner = line.registration.learner
    review_label = (
        f"New result for {learner.full_name} ({learner.membership_number}) {line.unit.code}"
    )

    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.get_by_test_id("review-panel").get_by_role("link", name="Request a review").click()
    page.get_by_label("Why should the outcome be reviewed?").fill(
        f"{learner.full_name}'s {line.unit.code} work was marked at Merit by two assessors."
    )
    page.get_by_role("button", name="Request a review").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Requested")
    review = Review.objects.get(claim=claim, status=ReviewStatus.REQUESTED)
    assert review.original_by is not None  # the assessor who finalised: never the reviewer

    reviewer = (
        User.objects.filter(body_role=BodyRole.MODERATOR, email__endswith="@demo.test")
        .exclude(pk=review.original_by_id)
        .order_by("email")
        .first()
    )
    as_user(page, live_server, "staff@demo.test")
    page.goto(f"{live_server.url}/admin/reviews/review/{review.pk}/change/")
    page.get_by_label("Reviewer").select_option(str(reviewer.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist").wait_for()

    as_user(page, live_server, reviewer.email)
    page.goto(f"{live_server.url}/reviews/assigned/{review.pk}/")
    page.get_by_role("button", name="Start review").click()
    page.get_by_label("Outcome changed: set the new results below").check()
    expect(page.get_by_label(review_label)).to_have_value(Grade.PASS)
    page.get_by_label(review_label).select_option(label="Merit")
    assert_accessible(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Outcome changed")

    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    expect(
        page.get_by_test_id("review-lines").locator("tr", has_text=line.unit.code)
    ).to_contain_text(re.compile("Pass.*Merit"))
    page.goto(f"{live_server.url}/par/learners/{learner.pk}/")
    expect(page.locator("tr", has_text=line.unit.code)).to_contain_text("Merit")
