"""Reads for reviews of moderation (R-REV-1..3): the request window, the lists, the rows a
reviewer decides on, the history both sides see."""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from centres.models import BodyRole, Centre, User
from claims.models import (
    LINE_WITHDRAWN,
    OUTCOMES_AGREED,
    Claim,
    ClaimHistory,
    ClaimLine,
    ClaimStatus,
)
from moderation.models import OUTCOMES, Batch, BatchHistory, BatchUnit
from moderation.models import HistoryEvent as BatchHistoryEvent
from par.models import UnitSelection

from .models import DECIDED, OPEN, ResultLabel, Review, ReviewHistory, ReviewLine, ReviewStatus

# The results a reviewer may name for a learner-unit: a batch passes or not; a claim's line
# gets a grade or none ("" is "Not passed" / "Not achieved" and clears the PAR result).
BATCH_RESULTS = ("pass", "")
CLAIM_RESULTS = ("pass", "merit", "distinction", "")


def add_months(moment: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class ReviewWindow:
    """R-REV-1 for one batch or claim: may a review be asked for now, and until when.

    ``applies``: the object has an outcome that may be reviewed at all (a batch's moderation
    outcome, a claim Finalised or Processed). ``closes_on``: the last day a review may be
    asked for (the page says "Reviews closed on 24 February 2027" after it).
    """

    applies: bool
    opens_at: datetime | None = None
    closes_on: date | None = None
    is_open: bool = False
    open_review: Review | None = None

    @property
    def can_request(self) -> bool:
        return self.applies and self.is_open and self.open_review is None


def outcome_of(*, batch: Batch | None = None, claim: Claim | None = None) -> datetime | None:
    """When the reviewable outcome was given, or None if the object has none to review."""
    if batch is not None:
        if batch.status in OUTCOMES and batch.outcome_at and batch.deleted_at is None:
            return batch.outcome_at
        return None
    if claim is not None and claim.status in OUTCOMES_AGREED:
        return claim.finalised_at
    return None


def window_closes_on(outcome_at: datetime) -> date:
    """The last day of the window: HUB_REVIEW_WINDOW_MONTHS after the outcome's day."""
    return add_months(timezone.localdate(outcome_at), settings.HUB_REVIEW_WINDOW_MONTHS)


def open_review_of(*, batch: Batch | None = None, claim: Claim | None = None) -> Review | None:
    reviews = Review.objects.filter(status__in=OPEN)
    if batch is not None:
        return reviews.filter(batch_id=batch.pk).first()
    return reviews.filter(claim_id=claim.pk).first()


def review_window(
    *, batch: Batch | None = None, claim: Claim | None = None, now: datetime | None = None
) -> ReviewWindow:
    """R-REV-1: whether the centre may ask for a review of ``batch`` or ``claim`` now.

    One query (the open review) when the object has an outcome, none otherwise.
    """
    if (batch is None) == (claim is None):
        raise TypeError("review_window() takes a batch or a claim.")
    outcome_at = outcome_of(batch=batch, claim=claim)
    if outcome_at is None:
        return ReviewWindow(applies=False)
    closes_on = window_closes_on(outcome_at)
    today = timezone.localdate(now or timezone.now())
    return ReviewWindow(
        applies=True,
        opens_at=outcome_at,
        closes_on=closes_on,
        is_open=today <= closes_on,
        open_review=open_review_of(batch=batch, claim=claim),
    )


def original_decider(*, batch: Batch | None = None, claim: Claim | None = None) -> User | None:
    """R-REV-2: who gave the outcome under review: the moderator who set the batch's
    outcome (from its history: staff may have reassigned the batch since, to another
    moderator or to nobody), or the assessor who finalised the claim."""
    if batch is not None:
        row = (
            BatchHistory.objects.filter(
                batch_id=batch.pk, event=BatchHistoryEvent.TRANSITION, to_status=batch.status
            )
            .exclude(actor=None)
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
        return row.actor if row is not None else batch.moderator
    row = (
        ClaimHistory.objects.filter(claim_id=claim.pk, to_status=ClaimStatus.FINALISED)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return row.actor if row is not None else None


# --- lists ----------------------------------------------------------------------------------
def _listed(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related(
        "centre", "batch__qualification", "claim__qualification", "reviewer"
    )


def reviews_for_centre(*, centre: Centre, moderation: bool, claims: bool) -> QuerySet[Review]:
    """The centre's reviews its member may see: batch reviews with the Moderation grant,
    claim reviews with Claims; newest first (review_centre_idx)."""
    reviews = Review.objects.filter(centre=centre)
    if not moderation:
        reviews = reviews.filter(batch__isnull=True)
    if not claims:
        reviews = reviews.filter(claim__isnull=True)
    if not (moderation or claims):
        reviews = reviews.none()
    return _listed(reviews).order_by("-requested_at", "-id")


def reviews_for_subject(
    *, batch: Batch | None = None, claim: Claim | None = None
) -> QuerySet[Review]:
    """Every review of one batch or claim, newest first (for its page)."""
    if batch is not None:
        reviews = Review.objects.filter(batch_id=batch.pk)
    else:
        reviews = Review.objects.filter(claim_id=claim.pk)
    return reviews.select_related("reviewer").order_by("-requested_at", "-id")


def reviews_for_reviewer(*, user: User) -> QuerySet[Review]:
    """The reviews assigned to ``user``, newest first (review_reviewer_idx)."""
    return _listed(Review.objects.filter(reviewer_id=user.pk)).order_by("-requested_at", "-id")


def review_history(review: Review) -> QuerySet[ReviewHistory]:
    """Every change to the review, oldest first, with who made it (R-NEW-3)."""
    return (
        ReviewHistory.objects.filter(review_id=review.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def earlier_reviewers(review: Review) -> QuerySet:
    """R-REV-2: who decided an earlier review of the same batch or claim (their decision is
    part of the outcome now reviewed, or they already looked at it): their ids."""
    reviews = Review.objects.filter(status__in=DECIDED, reviewer__isnull=False)
    if review.batch_id is not None:
        reviews = reviews.filter(batch_id=review.batch_id)
    else:
        reviews = reviews.filter(claim_id=review.claim_id)
    return reviews.exclude(pk=review.pk).values("reviewer_id")


def eligible_reviewers(review: Review) -> QuerySet[User]:
    """R-REV-2: awarding-body moderators and assessors, never the original decider."""
    users = User.objects.filter(
        is_active=True, body_role__in=[BodyRole.MODERATOR, BodyRole.ASSESSOR]
    )
    if review.original_by_id is not None:
        users = users.exclude(pk=review.original_by_id)
    users = users.exclude(pk__in=earlier_reviewers(review))
    return users.order_by("last_name", "first_name", "email")


# --- the rows a reviewer decides on ------------------------------------------------------------
@dataclass(frozen=True)
class ReviewUnit:
    """One learner-unit under review: its form key, who and what, and its results."""

    key: str
    selection_id: int | None
    learner_name: str
    p_number: str
    unit_code: str
    unit_title: str
    result: str
    is_batch: bool
    new_result: str | None = None
    choices: tuple[tuple[str, str], ...] = field(default=())

    @property
    def field_name(self) -> str:
        return f"result-{self.key}"

    @property
    def result_label(self) -> str:
        return ResultLabel.of(self.result, is_batch=self.is_batch)

    @property
    def new_result_label(self) -> str | None:
        if self.new_result is None:
            return None
        return ResultLabel.of(self.new_result, is_batch=self.is_batch)


def result_choices(*, is_batch: bool) -> tuple[tuple[str, str], ...]:
    values = BATCH_RESULTS if is_batch else CLAIM_RESULTS
    return tuple((value, ResultLabel.of(value, is_batch=is_batch)) for value in values)


BATCH_ORDER = ("order_last_name", "order_first_name", "order_p_number", "order_unit_code", "id")
CLAIM_ORDER = (
    "registration__learner__last_name",
    "registration__learner__first_name",
    "unit__code",
    "id",
)


def _ids_of(keys: Collection[str], prefix: str) -> list[int]:
    """The row ids in form keys ("b12", "c34") of this kind; anything else names no row."""
    ids = []
    for key in keys:
        key = str(key)
        if key[:1] == prefix and key[1:].isdigit():
            ids.append(int(key[1:]))
    return ids


class ReviewUnitRows:
    """The learner-units of the batch or claim under review, read a page at a time.

    A batch: its learner-units still on it (keys "b<batch unit id>", in the batch page's
    slot order); a claim: its lines not withdrawn (keys "c<claim line id>"), with the PAR
    selection their result was posted to (None while the claim is not processed). A decided
    review also lists the rows its decision took off (a batch's unit released, a claim's
    line withdrawn), and each changed row carries ``new_result``. ``keys`` limits the rows
    to those named. Hand it to django's Paginator: ``count()`` is one COUNT; a slice is one
    query for its rows (plus one for the decision's lines, one for a claim's selections).
    """

    def __init__(self, review: Review, *, keys: Collection[str] | None = None) -> None:
        self.review = review
        self.is_batch = review.batch_id is not None
        self.decided = review.status == ReviewStatus.OUTCOME_CHANGED
        self.ids = None if keys is None else _ids_of(keys, "b" if self.is_batch else "c")
        self._count: int | None = None

    def _queryset(self) -> QuerySet:
        if self.is_batch:
            rows = BatchUnit.objects.filter(batch_id=self.review.batch_id)
            listed, line_field, order = Q(released_at__isnull=True), "batch_unit_id", BATCH_ORDER
        else:
            rows = ClaimLine.objects.filter(claim_id=self.review.claim_id)
            listed, line_field, order = ~Q(outcome=LINE_WITHDRAWN), "claim_line_id", CLAIM_ORDER
        if self.decided:
            listed |= Q(
                pk__in=ReviewLine.objects.filter(review_id=self.review.pk).values(line_field)
            )
        rows = rows.filter(listed)
        if self.ids is not None:
            rows = rows.filter(pk__in=self.ids)
        return rows.order_by(*order)

    def count(self) -> int:
        if self._count is None:
            self._count = 0 if self.ids == [] else self._queryset().count()
        return self._count

    def __iter__(self) -> Iterator[ReviewUnit]:
        return iter(self._units(self._queryset()))

    def __getitem__(self, index: int | slice) -> ReviewUnit | list[ReviewUnit]:
        if isinstance(index, slice):
            return self._units(self._queryset()[index])
        return self._units(self._queryset()[index : index + 1])[0]

    def _changed(self, ids: list[int]) -> dict[int, str]:
        if not self.decided or not ids:
            return {}
        field = "batch_unit_id" if self.is_batch else "claim_line_id"
        return dict(
            ReviewLine.objects.filter(review_id=self.review.pk, **{f"{field}__in": ids})
            .order_by()
            .values_list(field, "after")
        )

    def _units(self, rows: QuerySet) -> list[ReviewUnit]:
        if self.ids == []:
            return []
        if self.is_batch:
            return self._batch_units(rows)
        return self._claim_units(rows)

    def _batch_units(self, rows: QuerySet) -> list[ReviewUnit]:
        found = list(
            rows.values_list(
                "pk",
                "selection_id",
                "selection__registration__learner__first_name",
                "selection__registration__learner__last_name",
                "selection__registration__learner__membership_number",
                "selection__unit__code",
                "selection__unit__title",
                "selection__result",
            )
        )
        changed = self._changed([row[0] for row in found])
        choices = result_choices(is_batch=True)
        return [
            ReviewUnit(
                key=f"b{pk}",
                selection_id=selection_id,
                learner_name=f"{first} {last}".strip(),
                p_number=number,
                unit_code=code,
                unit_title=title,
                result=result,
                is_batch=True,
                new_result=changed.get(pk),
                choices=choices,
            )
            for pk, selection_id, first, last, number, code, title, result in found
        ]

    def _claim_units(self, rows: QuerySet) -> list[ReviewUnit]:
        lines = list(
            rows.values_list(
                "pk",
                "registration_id",
                "unit_id",
                "registration__learner__first_name",
                "registration__learner__last_name",
                "registration__learner__membership_number",
                "unit__code",
                "unit__title",
            )
        )
        if not lines:
            return []
        selections = {
            (registration_id, unit_id): (pk, result)
            for pk, registration_id, unit_id, result in UnitSelection.objects.filter(
                registration_id__in={line[1] for line in lines},
                unit_id__in={line[2] for line in lines},
            )
            .order_by()
            .values_list("pk", "registration_id", "unit_id", "result")
        }
        changed = self._changed([line[0] for line in lines])
        choices = result_choices(is_batch=False)
        units = []
        for pk, registration_id, unit_id, first, last, number, code, title in lines:
            selection_id, result = selections.get((registration_id, unit_id), (None, ""))
            units.append(
                ReviewUnit(
                    key=f"c{pk}",
                    selection_id=selection_id,
                    learner_name=f"{first} {last}".strip(),
                    p_number=number,
                    unit_code=code,
                    unit_title=title,
                    result=result,
                    is_batch=False,
                    new_result=changed.get(pk),
                    choices=choices,
                )
            )
        return units


def review_unit_rows(review: Review, *, keys: Collection[str] | None = None) -> ReviewUnitRows:
    """The review's learner-units, to page through (see ``ReviewUnitRows``)."""
    return ReviewUnitRows(review, keys=keys)


def review_units(review: Review, keys: Collection[str] | None = None) -> list[ReviewUnit]:
    """Every learner-unit under review (or only those ``keys`` names), in page order."""
    rows = ReviewUnitRows(review, keys=keys)
    return rows._units(rows._queryset())


def results_posted(review: Review) -> bool:
    """Whether the results under review are on the PAR (a claim only once it is Processed)."""
    if review.batch_id is not None:
        return True
    return Claim.objects.filter(pk=review.claim_id, status=ClaimStatus.PROCESSED).exists()
