"""The one way in to reviews and their evidence, for each side (R-ACC-2, R-ACC-3).

The centre sees the reviews of its current centre that its grants cover: batch reviews with
Moderation, claim reviews with Claims. A reviewer sees only the reviews assigned to them;
the awarding body's administrators see every review in Django admin. Anything else is a 404,
never another centre's review. The evidence is served only after one of these checks.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from centres.models import BodyRole, Section
from hub.storage import private_download
from moderation.files import download_name

from .models import Review
from .selectors import reviews_for_centre

REVIEWER_ROLES = (BodyRole.MODERATOR, BodyRole.ASSESSOR)


def is_reviewer(user) -> bool:
    """Awarding-body moderators and assessors may be given reviews: they see "Reviews"."""
    return bool(user is not None and user.is_authenticated and user.body_role in REVIEWER_ROLES)


def centre_section_for(review: Review) -> Section:
    """The centre section a review belongs to: Moderation for a batch, Claims for a claim."""
    return Section.MODERATION if review.batch_id is not None else Section.CLAIMS


def reviews_for_request(request: HttpRequest) -> QuerySet[Review]:
    """The current centre's reviews the user's grants cover; nothing without a centre."""
    membership = getattr(request, "membership", None)
    if request.centre is None or membership is None:
        return Review.objects.none()
    return reviews_for_centre(
        centre=request.centre,
        moderation=membership.grants(Section.MODERATION),
        claims=membership.grants(Section.CLAIMS),
    )


def _related(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related(
        "centre",
        "batch__qualification",
        "claim__qualification",
        "reviewer",
        "requested_by",
        "original_by",
    )


def get_review_for_request(request: HttpRequest, pk: int) -> Review:
    """Review ``pk`` of the current centre, within the user's grants, or 404."""
    review = _related(reviews_for_request(request)).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def get_review_for_reviewer(request: HttpRequest, pk: int) -> Review:
    """Review ``pk`` if it is assigned to the requesting reviewer, or 404."""
    if not is_reviewer(request.user):
        raise Http404
    review = _related(Review.objects.filter(reviewer_id=request.user.pk)).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def review_evidence_response(request: HttpRequest, review: Review) -> HttpResponse:
    """The evidence of a review the view has fetched through one of the getters above, as an
    attachment under its own cleaned name (R-ACC-3); 404 when there is none."""
    if not review.evidence:
        raise Http404
    filename = download_name(review.evidence_name or "evidence", review.evidence_content_type)
    return private_download(
        review.evidence,
        filename=filename,
        content_type=review.evidence_content_type or "application/octet-stream",
    )
