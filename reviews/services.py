"""Every write to a review of moderation (R-REV-1..3).

Each service is keyword-only and atomic, takes the acting user and checks it: the centre's
staff with the section of what is reviewed (Moderation for a batch, Claims for a claim) ask;
the awarding body's administrators assign a reviewer; only that reviewer starts and decides.
Status changes go through the transitions declared on ``Review`` via ``hub.fsm.transition``
and every change writes its audit row and the review's history row in the same transaction
(R-NEW-3). Notices (R-NTF-1) and certificate work (R-REV-3, R-CRT-4) leave through the
outbox, so neither can fail or hold up the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.access import has_section
from centres.audit import audit, register_history
from centres.models import BodyRole, Section, User
from claims.models import LINE_WITHDRAWN, OUTCOMES_AGREED, Claim, ClaimLine
from hub import fsm, outbox
from moderation.models import Batch, BatchUnit
from moderation.models import HistoryEvent as BatchHistoryEvent
from par.services import selections_record_result

from . import files, notices, selectors
from .models import (
    ASSIGNABLE,
    HistoryEvent,
    ResultLabel,
    Review,
    ReviewHistory,
    ReviewLine,
    ReviewStatus,
    is_assigned_reviewer,
)

S = ReviewStatus
REVIEWER_ROLES = (BodyRole.MODERATOR, BodyRole.ASSESSOR)


class ReviewError(Exception):
    """A change the review's status or the rules do not allow; the message is for the user."""


class ReviewWindowClosed(ReviewError):
    """R-REV-1: the window for asking closed on ``closes_on``."""

    def __init__(self, closes_on: date) -> None:
        self.closes_on = closes_on
        super().__init__(f"Reviews closed on {closes_on.day} {closes_on:%B %Y}.")


class ReviewAlreadyOpen(ReviewError):
    """R-REV-1: one open review per batch or claim at a time."""

    def __init__(self, review: Review | None) -> None:
        self.review = review
        super().__init__(
            "A review of this is already open"
            + (f" (review {review.pk}, {review.get_status_display()})." if review else ".")
        )


class ReviewStateError(ReviewError):
    """The review is not in a status that allows this (it may have just moved on)."""


class ReviewerNotAllowed(ReviewError):
    """R-REV-2: the chosen reviewer may not review this outcome."""


class ReviewResultsInvalid(ReviewError):
    """The results named for an "Outcome changed" decision, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


# --- history and the state machine ------------------------------------------------------------
def _history(
    review: Review,
    actor: User | None,
    event: str,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    action: str = "",
) -> ReviewHistory:
    """Record a change on the one audit path (R-NEW-3): the audit row and the review's
    history row both sides read."""
    return audit(
        actor=actor,
        action=action or f"review.{event}",
        subject=f"Review {review.pk} of {review.subject_label}",
        before=from_status or None,
        after=to_status or None,
        reason=note or None,
        entity=review,
        history={"event": event},
    ).history


def _write_history(
    review: Review,
    *,
    actor: User | None,
    at: datetime,
    before: str,
    after: str,
    reason: str,
    event: str,
) -> ReviewHistory:
    return ReviewHistory.objects.create(
        review=review,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        event=event,
        from_status=before,
        to_status=after,
        note=reason,
    )


register_history(Review, _write_history)


def _transition_history(
    review: Review, *, actor: User, source: str, target: str, reason: str, name: str
) -> ReviewHistory:
    return _history(
        review,
        actor,
        HistoryEvent.TRANSITION,
        from_status=source,
        to_status=target,
        note=reason,
        action=f"review.{name}",
    )


def _refusal(kind: str, review: Review) -> ReviewError | PermissionDenied:
    if kind == fsm.STATE:
        return ReviewStateError(
            f"Review {review.pk} is {review.get_status_display()}: that step is not possible "
            "from here. The page may be out of date; reload it to see the review as it is."
        )
    if kind == fsm.PERMISSION:
        return PermissionDenied("Only the reviewer assigned to this review can do this.")
    return ReviewStateError("No reviewer has been assigned to this review yet.")


fsm.register_machine(Review, history=_transition_history, refuse=_refusal)


# --- who may act ---------------------------------------------------------------------------
def section_of(review_or_batch: Review | Batch | Claim) -> Section:
    """The centre section a review belongs to: Moderation for a batch, Claims for a claim."""
    if isinstance(review_or_batch, Review):
        return Section.MODERATION if review_or_batch.batch_id is not None else Section.CLAIMS
    return Section.MODERATION if isinstance(review_or_batch, Batch) else Section.CLAIMS


def _require_centre_member(actor: User, subject: Batch | Claim) -> None:
    section = section_of(subject)
    if not has_section(actor, subject.centre_id, section):
        raise PermissionDenied(
            f"Only the centre's staff with {section.label} access can ask for a review."
        )


def _require_staff(actor: User | None) -> None:
    if not (actor is not None and actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only the awarding body's administrators can do this.")


def _require_reviewer(review: Review, actor: User) -> None:
    if not is_assigned_reviewer(review, actor):
        raise PermissionDenied("Only the reviewer assigned to this review can do this.")


def _lock(review: Review | int) -> Review:
    pk = review.pk if isinstance(review, Review) else review
    return Review.objects.select_for_update().get(pk=pk)


# --- R-REV-1: asking ---------------------------------------------------------------------------
def review_request(
    *,
    actor: User,
    batch: Batch | None = None,
    claim: Claim | None = None,
    reasons: str,
    evidence: File | None = None,
) -> Review:
    """The centre asks for a review of ``batch``'s moderation outcome or ``claim``'s
    finalised grades (R-REV-1), with reasons and optional evidence: an upload, or a file
    kept across a form error (a django File opened from storage).

    Refused outside the window (HUB_REVIEW_WINDOW_MONTHS from the outcome), while another
    review of the same thing is open, and for anything without an outcome to review. The
    evidence is checked by content, name and size before any row is locked; the SLA clock
    (HUB_REVIEW_SLA_WEEKS) starts now (R-REV-2).
    """
    if (batch is None) == (claim is None):
        raise TypeError("review_request() takes a batch or a claim.")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ReviewError("Enter the reasons you are asking for a review.")
    checked = files.inspect_evidence(evidence) if evidence is not None else None
    with transaction.atomic():
        if batch is not None:
            subject = Batch.objects.select_for_update().get(pk=batch.pk)
            found = {"batch": subject}
        else:
            subject = Claim.objects.select_for_update().get(pk=claim.pk)
            found = {"claim": subject}
        _require_centre_member(actor, subject)
        window = selectors.review_window(**found)
        if not window.applies:
            raise ReviewError(
                "Only a moderation outcome or a finalised claim can be reviewed, and this "
                "has none yet."
            )
        if window.open_review is not None:
            raise ReviewAlreadyOpen(window.open_review)
        if not window.is_open:
            raise ReviewWindowClosed(window.closes_on)
        now = timezone.now()
        original = selectors.original_decider(**found)
        review = Review(
            centre_id=subject.centre_id,
            reasons=reasons,
            outcome_status=subject.status,
            outcome_at=window.opens_at,
            original_by=original,
            requested_by=actor,
            requested_at=now,
            sla_due_at=now + timedelta(weeks=settings.HUB_REVIEW_SLA_WEEKS),
            **found,
        )
        if checked is not None:
            review.evidence_name = checked.name
            review.evidence_size = checked.size
            review.evidence_content_type = checked.content_type
            # Stored under a random key before the row commits; the orphan sweep removes
            # it if this transaction rolls back.
            review.evidence.save(checked.name, evidence, save=False)
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            # A colleague's request for the same thing committed first (R-REV-1).
            raise ReviewAlreadyOpen(selectors.open_review_of(**found)) from None
        _history(
            review,
            actor,
            HistoryEvent.REQUESTED,
            to_status=S.REQUESTED,
            note=reasons,
            action="review.request",
        )
        notices.review_requested(review)
    return review


# --- R-REV-2: assigning, starting, deciding ------------------------------------------------------
def ensure_reviewer_allowed(review: Review, reviewer: User) -> None:
    """R-REV-2: an active awarding-body moderator or assessor, never the one who gave the
    outcome under review."""
    if not reviewer.is_active or reviewer.body_role not in REVIEWER_ROLES:
        raise ReviewerNotAllowed(
            f"{reviewer} is not an awarding-body moderator or assessor, so cannot review."
        )
    if review.original_by_id is not None and reviewer.pk == review.original_by_id:
        who = "moderated the batch" if review.batch_id is not None else "finalised the claim"
        raise ReviewerNotAllowed(
            f"{reviewer} {who}: a review is done by someone other than the original "
            f"{'moderator' if review.batch_id is not None else 'assessor'}."
        )
    if selectors.earlier_reviewers(review).filter(reviewer_id=reviewer.pk).exists():
        raise ReviewerNotAllowed(
            f"{reviewer} decided an earlier review of {review.subject_label}: a review is done "
            "by someone who took no part in the outcome reviewed."
        )


@transaction.atomic
def review_assign(*, actor: User, review: Review, reviewer: User, note: str = "") -> Review:
    """An awarding-body administrator gives the review to ``reviewer`` (R-REV-2), or to
    another reviewer while it is still open. The reviewer is told (R-NTF-1)."""
    _require_staff(actor)
    review = _lock(review)
    if review.status not in ASSIGNABLE:
        raise ReviewStateError(
            f"Review {review.pk} is {review.get_status_display()}: it can no longer be assigned."
        )
    ensure_reviewer_allowed(review, reviewer)
    if review.reviewer_id == reviewer.pk:
        raise ReviewError(f"Review {review.pk} is already assigned to {reviewer}.")
    previous = review.reviewer
    review.reviewer = reviewer
    review.assigned_by = actor
    review.assigned_at = timezone.now()
    review.save(update_fields=["reviewer", "assigned_by", "assigned_at"])
    said = f"Assigned to {reviewer}" + (f" (was {previous})" if previous else "") + "."
    _history(
        review,
        actor,
        HistoryEvent.ASSIGNED,
        note=f"{said} {note.strip()}".strip(),
        action="review.assign",
    )
    notices.review_assigned(review)
    return review


def review_start(*, actor: User, review: Review) -> Review:
    """The assigned reviewer starts: Requested -> Under review (R-REV-2)."""
    moved = fsm.transition(
        review.pk,
        "start",
        actor=actor,
        model=Review,
        reason="Review started.",
        then=lambda moved: notices.review_started(moved.obj),
    )
    return moved.obj


def review_uphold(*, actor: User, review: Review, comments: str) -> Review:
    """The reviewer keeps the outcome: Under review -> Upheld, with comments (R-REV-2).
    The SLA clock stops; the centre is told."""
    comments = (comments or "").strip()
    if not comments:
        raise ReviewResultsInvalid({"comments": "Enter your comments on the outcome upheld."})
    moved = fsm.transition(
        review.pk,
        "uphold",
        actor=actor,
        model=Review,
        reason=comments,
        comments=comments,
        then=lambda moved: notices.review_decided(moved.obj),
    )
    return moved.obj


def _changes(review: Review, results: Mapping[str, str]) -> list[tuple[selectors.ReviewUnit, str]]:
    """The rows whose result ``results`` changes, checked field by field."""
    # Only the rows named are read: a decision on 3 of 2,000 learner-units reads 3.
    units = {unit.key: unit for unit in selectors.review_units(review, keys=list(results))}
    allowed = selectors.BATCH_RESULTS if review.batch_id is not None else selectors.CLAIM_RESULTS
    errors: dict[str, str] = {}
    changes = []
    for key, value in results.items():
        unit = units.get(str(key))
        value = (value or "").strip().lower()
        if unit is None:
            errors[f"result-{key}"] = "This learner-unit is not part of what is under review."
            continue
        if value not in allowed:
            errors[unit.field_name] = (
                f"Choose {' or '.join(label for _, label in unit.choices)} for "
                f"{unit.p_number} {unit.unit_code}."
            )
            continue
        if value != unit.result:
            if unit.selection_id is None:
                errors[unit.field_name] = (
                    f"{unit.p_number} {unit.unit_code} has no result on the PAR to change."
                )
                continue
            changes.append((unit, value))
    if errors:
        raise ReviewResultsInvalid(errors)
    if not changes:
        raise ReviewResultsInvalid(
            {
                "__all__": "Change at least one learner-unit's result, or choose Upheld "
                "if the outcome stands."
            }
        )
    return changes


def review_change_outcome(
    *, actor: User, review: Review, results: Mapping[str, str], comments: str = ""
) -> Review:
    """The reviewer changes the outcome: Under review -> Outcome changed (R-REV-2, R-REV-3).

    ``results`` names a new result for learner-units under review, by the key
    ``selectors.review_units`` gives them: a batch's "pass" or "" (not passed), a claim's
    "pass", "merit", "distinction" or "" (not achieved). The PAR results change in this
    transaction (source "Review <id>") and each change is kept as a ``ReviewLine``; the
    certificates affected are reissued or revoked, and new ones awarded, by a worker once
    this commits (R-CRT-4, the outbox). Nothing is saved if any result is refused.
    """
    comments = (comments or "").strip()
    with transaction.atomic():
        locked = _lock(review)
        # Refuse first with the machine's own words, before the results are even read.
        if not fsm.can_take(locked, "change_outcome"):
            raise _refusal(fsm.STATE, locked)
        _require_reviewer(locked, actor)
        _require_outcome_unchanged(locked)
        if not selectors.results_posted(locked):
            lines = ClaimLine.objects.filter(claim_id=locked.claim_id)
            if not lines.exclude(outcome=LINE_WITHDRAWN).exists():
                # Such a claim stays Finalised for good: nothing will be processed.
                raise ReviewError(
                    "Every line of this claim was withdrawn when it was finalised, so no "
                    "result is on the PAR to change: choose Upheld, with your comments."
                )
            raise ReviewError(
                "The claim's results are not on the PAR yet: it is still being processed. "
                "Try again in a few minutes."
            )
        changes = _changes(locked, results)
        summary = "; ".join(
            f"{unit.p_number} {unit.unit_code}: {unit.result_label} -> "
            f"{ResultLabel.of(value, is_batch=unit.is_batch)}"
            for unit, value in changes
        )
        note = f"{len(changes)} result{'s' if len(changes) != 1 else ''} changed: {summary}."
        moved = fsm.transition(
            locked,
            "change_outcome",
            actor=actor,
            reason=f"{comments}\n{note}".strip(),
            comments=comments,
        )
        now = moved.obj.decided_at
        ReviewLine.objects.bulk_create(
            [
                ReviewLine(
                    review=moved.obj,
                    selection_id=unit.selection_id,
                    batch_unit_id=int(unit.key[1:]) if unit.is_batch else None,
                    claim_line_id=None if unit.is_batch else int(unit.key[1:]),
                    learner_name=unit.learner_name[:200],
                    p_number=unit.p_number,
                    unit_code=unit.unit_code,
                    unit_title=unit.unit_title[:255],
                    before=unit.result,
                    after=value,
                )
                for unit, value in changes
            ]
        )
        by_result: dict[str, list[int]] = defaultdict(list)
        for unit, value in changes:
            by_result[value].append(unit.selection_id)
        for value, selection_ids in sorted(by_result.items()):
            selections_record_result(
                selection_ids=selection_ids,
                result=value,
                source=f"Review {moved.obj.pk}",
                at=now,
                actor=actor,
            )
        _free_not_passed(moved.obj, changes, actor=actor, at=now)
        outbox.enqueue("reviews.certificates", review_id=moved.obj.pk)
        notices.review_decided(moved.obj)
    return moved.obj


def _require_outcome_unchanged(review: Review) -> None:
    """The batch or claim still has the outcome reviewed (locked until the decision commits):
    a Returned batch the centre resubmitted is being moderated again, and a decision must
    not change its results or release its learner-units from under the moderator."""
    if review.batch_id is not None:
        batch = Batch.objects.select_for_update().get(pk=review.batch_id)
        if (
            batch.status == review.outcome_status
            and batch.outcome_at == review.outcome_at
            and batch.deleted_at is None
        ):
            return
        now = "deleted" if batch.deleted_at is not None else batch.get_status_display()
    else:
        claim = Claim.objects.select_for_update().get(pk=review.claim_id)
        if claim.status in OUTCOMES_AGREED:
            return
        now = claim.get_status_display()
    raise ReviewStateError(
        f"{review.subject_label} has moved on since the review was asked for: it is now "
        f"{now}. Its results can no longer be changed on this review; choose Upheld to "
        "close it."
    )


def _free_not_passed(
    review: Review, changes: list[tuple[selectors.ReviewUnit, str]], *, actor: User, at: datetime
) -> None:
    """What the decision changed, on the batch or claim reviewed.

    A batch's learner-unit no longer passed is released from the batch, so the centre may
    claim it on a new batch (R-BAT-4; the one-live-batch rule would hold it for ever), with
    a "Learner-unit removed" row on the batch's own history. A claim's line takes the new
    grade as its agreed outcome, or Withdrawn when it is no longer achieved, so the claim
    page says what the PAR says and the unit may be claimed again (R-CLM-6).
    """
    if review.batch_id is not None:
        released = [int(unit.key[1:]) for unit, value in changes if value == ""]
        if not released:
            return
        BatchUnit.objects.filter(
            pk__in=released, batch_id=review.batch_id, released_at__isnull=True
        ).update(released_at=at)
        batch = Batch.objects.get(pk=review.batch_id)
        names = ", ".join(
            f"{unit.learner_name} ({unit.p_number}) {unit.unit_code}"
            for unit, value in changes
            if value == ""
        )
        audit(
            actor=actor,
            action="batch.unit_released_on_review",
            subject=f"Batch {batch.pk}",
            before=batch.status,
            after=batch.status,
            reason=f"Not passed on review {review.pk}: {names}; may be claimed on a new batch.",
            entity=batch,
            history={"event": BatchHistoryEvent.UNIT_REMOVED},
        )
        return
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for unit, value in changes:
        by_outcome[value or LINE_WITHDRAWN].append(int(unit.key[1:]))
    for outcome, line_ids in by_outcome.items():
        ClaimLine.objects.filter(pk__in=line_ids, claim_id=review.claim_id).update(
            outcome=outcome, updated_at=at
        )
    # The claim page's history says so, as a batch's does (R-NEW-3).
    claim = Claim.objects.get(pk=review.claim_id)
    said = "; ".join(
        f"{unit.learner_name} ({unit.p_number}) {unit.unit_code}: {unit.result_label} -> "
        + (ResultLabel.of(value, is_batch=False) if value else "Withdrawn")
        for unit, value in changes
    )
    audit(
        actor=actor,
        action="claims.lines_changed_on_review",
        subject=f"claim {claim.pk}",
        before=claim.status,
        after=claim.status,
        reason=f"Changed on review {review.pk}: {said}.",
        entity=claim,
    )
