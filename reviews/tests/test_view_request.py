"""R-REV-1: "Request a review" on the batch page and the claim page, and its form."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.tests.factories import MembershipFactory, UserFactory
from moderation.models import Batch
from moderation.tests.factories import pdf
from reviews.models import Review, ReviewStatus
from reviews.selectors import window_closes_on

from .factories import make_review, reviewable_batch, reviewable_claim

REASONS = "The work of learner 2 meets every criterion; the moderator read the wrong brief."


def request_url(batch) -> str:
    return reverse("reviews:request-batch", args=[batch.pk])


def closes_text(outcome_at) -> str:
    return f"{window_closes_on(outcome_at):%-d %B %Y}"


@pytest.mark.django_db
def test_batch_page_offers_a_review_until_the_window_closes(member_client, world):
    """R-REV-1: a batch with a moderation outcome offers "Request a review", saying until when."""
    batch = reviewable_batch(world)
    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert f'href="{request_url(batch)}"' in page
    assert f"until {closes_text(batch.outcome_at)}" in page


@pytest.mark.django_db
def test_request_with_reasons_and_evidence(member_client, world):
    """R-REV-1: reasons and one evidence file make a Requested review with its history row."""
    batch = reviewable_batch(world)
    assert member_client.get(request_url(batch)).status_code == 200

    response = member_client.post(
        request_url(batch), {"reasons": REASONS, "evidence": pdf("second opinion.pdf")}
    )

    review = Review.objects.get(batch=batch)
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:detail", args=[review.pk])
    assert review.status == ReviewStatus.REQUESTED
    assert review.requested_by == world.admin
    assert review.evidence_name == "second opinion.pdf"
    page = member_client.get(response["Location"]).content.decode()
    assert "Requested" in page and REASONS in page
    assert reverse("reviews:evidence", args=[review.pk]) in page
    assert "Review requested" in page  # the history row (R-NEW-3)


@pytest.mark.django_db
def test_no_reasons_error_summary_and_the_evidence_kept(member_client, world):
    """GOV.UK error summary; nothing half-saved; the good file is kept for the next submit."""
    batch = reviewable_batch(world)

    response = member_client.post(
        request_url(batch), {"reasons": "   ", "evidence": pdf("kept.pdf")}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "<title>Error: " in page
    assert 'href="#id_reasons"' in page
    assert 'data-testid="kept-file"' in page and "kept.pdf" in page
    assert not Review.objects.exists()
    token = response.context["kept"].token

    response = member_client.post(request_url(batch), {"reasons": REASONS, "kept_evidence": token})

    assert response.status_code == 302
    review = Review.objects.get(batch=batch)
    assert review.evidence_name == "kept.pdf"
    assert review.has_evidence


@pytest.mark.django_db
def test_refused_evidence_keeps_the_reasons(member_client, world):
    """R-NEW-5: a file whose content is not what its name says is refused by the field;
    the reasons typed stay in the box and nothing is saved."""
    batch = reviewable_batch(world)
    fake = SimpleUploadedFile("evidence.pdf", b"just some text, not a PDF", "application/pdf")

    response = member_client.post(request_url(batch), {"reasons": REASONS, "evidence": fake})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_evidence"' in page
    assert REASONS in page
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_after_the_window_the_button_is_gone_and_the_date_shown(member_client, world):
    """R-REV-1: after the window the page says when reviews closed; asking is refused."""
    batch = reviewable_batch(world)
    long_ago = timezone.now() - timedelta(days=200)
    Batch.objects.filter(pk=batch.pk).update(outcome_at=long_ago, completed_at=long_ago)

    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()

    assert f"Reviews closed on {closes_text(long_ago)}." in page
    assert request_url(batch) not in page
    response = member_client.post(request_url(batch), {"reasons": REASONS}, follow=True)
    assert f"Reviews closed on {closes_text(long_ago)}." in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_one_open_review_at_a_time(member_client, world):
    """R-REV-1: while a review is open the page links to it and the form sends you there."""
    review = make_review(world, reviewer=world.assessor)
    batch = review.batch
    detail = reverse("reviews:detail", args=[review.pk])

    page = member_client.get(reverse("moderation:batch-detail", args=[batch.pk])).content.decode()
    assert detail in page and request_url(batch) not in page
    assert member_client.get(request_url(batch))["Location"] == detail
    member_client.post(request_url(batch), {"reasons": REASONS})
    assert Review.objects.filter(batch=batch).count() == 1


@pytest.mark.django_db
def test_claim_page_offers_a_review_and_the_request_goes_through(member_client, world):
    """R-REV-1: a Finalised or Processed claim, from the Claims section."""
    claim = reviewable_claim(world)
    url = reverse("reviews:request-claim", args=[claim.pk])
    page = member_client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()
    assert f'href="{url}"' in page

    response = member_client.post(url, {"reasons": "Unit 2 deserved a Merit."})

    review = Review.objects.get(claim=claim)
    assert response["Location"] == reverse("reviews:detail", args=[review.pk])
    assert review.centre == world.centre


@pytest.mark.django_db
def test_outsider_404_no_grant_403_wrong_method_405(client, world):
    """R-ACC-2: another centre's batch is a 404; Moderation is needed; GET or POST only."""
    batch = reviewable_batch(world)
    client.force_login(world.outsider)
    assert client.get(request_url(batch)).status_code == 404
    assert client.post(request_url(batch), {"reasons": REASONS}).status_code == 404
    client.force_login(world.tutor)
    assert client.get(request_url(batch)).status_code == 403
    claims_only = UserFactory()
    MembershipFactory(
        user=claims_only, centre=world.centre, role=Role.CENTRE_ADMINISTRATOR, can_claims=True
    )
    client.force_login(claims_only)
    assert client.post(request_url(batch), {"reasons": REASONS}).status_code == 403
    client.force_login(world.admin)
    assert client.put(request_url(batch)).status_code == 405
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_evidence_over_the_limit_is_refused_while_it_streams(member_client, world, settings):
    """The size is checked as the upload streams in (never stored whole); the reasons stay."""
    settings.HUB_MAX_SAMPLE_MB = 1
    batch = reviewable_batch(world)
    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "application/pdf"
    )

    response = member_client.post(request_url(batch), {"reasons": REASONS, "evidence": big})

    page = response.content.decode()
    assert response.status_code == 400
    assert "is larger than 1 MB" in page and 'href="#id_evidence"' in page
    assert REASONS in page
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_claim_after_the_window_says_when_reviews_closed(member_client, world):
    """R-REV-1 for a claim: the window counts from its finalisation."""
    from claims.models import Claim

    claim = reviewable_claim(world)
    long_ago = timezone.now() - timedelta(days=120)
    Claim.objects.filter(pk=claim.pk).update(finalised_at=long_ago)
    url = reverse("reviews:request-claim", args=[claim.pk])

    page = member_client.get(reverse("claims:claim-detail", args=[claim.pk])).content.decode()

    assert f"Reviews closed on {closes_text(long_ago)}." in page
    assert url not in page
    assert member_client.get(url)["Location"] == reverse("claims:claim-detail", args=[claim.pk])
