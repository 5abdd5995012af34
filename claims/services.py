"""Writes to claims. Each checks its actor, runs in one transaction, locks the claim row and
re-checks its status before changing anything, and records every status change in
``ClaimHistory``. Emails and processing are queued in the same transaction through the
outbox (hub/outbox.py): none is sent inside a request.

Status changes go through ``hub.fsm.transition`` only, which asks the state machine on
``Claim`` (R-CLM-10) whether the arrow exists, the actor's side may take it and its guards
hold, and writes the ``ClaimHistory`` row registered below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.audit import audit, register_history
from centres.models import Approval, Centre, EntryType, Qualification, Route, User
from hub import fsm, numbers, outbox
from par.services import selections_for_results, selections_record_result

from . import notices
from .access import ensure_assigned_assessor, ensure_claims_member
from .models import (
    LINE_WITHDRAWN,
    OUTCOME_CHOICES,
    CentreAssessor,
    Claim,
    ClaimHistory,
    ClaimLine,
    Grade,
)
from .selectors import (
    ClaimReconciliation,
    active_assessors,
    blocked_pairs,
    claim_lines,
    claim_reconciliation,
    eligible_registrations,
    qualification_units,
    unit_entries,
)

Pair = tuple[int, int]  # (registration id, unit id)


class ClaimError(Exception):
    """A claim action refused for a reason the user can act on."""


class LineErrors(ClaimError):
    """Some lines of a save were refused; nothing was saved. ``errors`` maps pair -> why."""

    def __init__(self, errors: dict[Pair, str]):
        self.errors = errors
        super().__init__(f"{len(errors)} unit grade(s) could not be saved; see the marked rows.")


@dataclass(frozen=True)
class SaveOutcome:
    added: int
    changed: int
    removed: int

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.removed} removed"


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update().select_related("centre", "qualification").get(pk=claim.pk)
    )


def _write_history(
    claim: Claim, *, actor: User | None, at: datetime, before: str, after: str, reason: str
) -> ClaimHistory:
    return ClaimHistory.objects.create(
        claim=claim, at=at, actor=actor, from_status=before, to_status=after, note=reason
    )


# audit(entity=claim) writes the claim page's history row through this (R-NEW-3).
register_history(Claim, _write_history)


def _transition_history(
    claim: Claim, *, actor: User | None, source: str, target: str, reason: str, name: str
) -> ClaimHistory:
    return audit(
        actor=actor,
        action=f"claims.{name}",
        subject=f"claim {claim.pk}",
        before=source,
        after=target,
        reason=reason,
        entity=claim,
    ).history


def _refusal(kind: str, claim: Claim) -> Exception:
    if kind == fsm.STATE:
        return ClaimError(f"A claim that is {claim.get_status_display()} cannot be moved that way.")
    if kind == fsm.PERMISSION:
        return PermissionDenied("You may not move this claim that way.")
    return ClaimError("This claim is not ready for that step.")


# Every Claim transition goes through hub.fsm.transition: lock, check, move, history.
fsm.register_machine(Claim, history=_transition_history, refuse=_refusal)


def _unused_code(field: str, *, prefix: str) -> str:
    """A random claim number or reference no claim holds yet, e.g. 10001-7KQM-4XPA.

    Random so that it reveals no volumes (hub.numbers); drawn again on the rare collision,
    and the unique constraint stops a collision that races this check.
    """
    for _ in range(numbers.ATTEMPTS):
        candidate = prefix + numbers.random_code(length=7, group=4)
        if not Claim.objects.filter(**{field: candidate}).exists():
            return candidate
    raise RuntimeError(f"No free claim {field} after {numbers.ATTEMPTS} draws.")


def _require_editable(claim: Claim) -> None:
    if not claim.is_editable:
        raise ClaimError(
            f"This claim is {claim.get_status_display()} and can no longer be edited (R-CLM-9)."
        )


# --- Centre assessors (R-CLM-1) -------------------------------------------------------


def _check_initials(
    *,
    centre: Centre,
    qualification: Qualification,
    name: str,
    initials: str,
    exclude_pk: int | None = None,
) -> None:
    """Initials identify one person within the centre: reuse only for the same name."""
    clashes = CentreAssessor.objects.filter(centre=centre, initials__iexact=initials).exclude(
        pk=exclude_pk
    )
    for other in clashes:
        if other.qualification_id == qualification.pk:
            raise ValidationError(
                {"initials": f"{other.name} already uses {initials} on this qualification."}
            )
        if other.name.casefold() != name.casefold():
            raise ValidationError(
                {
                    "initials": f"{initials} already identifies {other.name} at your centre; "
                    "initials must be unique within the centre. Try a teacher code."
                }
            )


@transaction.atomic
def centre_assessor_create(
    *, actor: User, centre: Centre, qualification: Qualification, name: str, initials: str
) -> CentreAssessor:
    """Set up a centre assessor for one qualification (R-CLM-1)."""
    ensure_claims_member(actor, centre.pk)
    name, initials = name.strip(), initials.strip().upper()
    _check_initials(centre=centre, qualification=qualification, name=name, initials=initials)
    assessor = CentreAssessor.objects.create(
        centre=centre, qualification=qualification, name=name, initials=initials
    )
    audit(
        actor=actor,
        centre=centre,
        action="claims.assessor_create",
        subject=f"{assessor} on {qualification.code}",
        assessor=assessor.pk,
    )
    return assessor


@transaction.atomic
def centre_assessor_update(
    *, actor: User, assessor: CentreAssessor, name: str, initials: str, is_active: bool
) -> CentreAssessor:
    """Correct a centre assessor's name or initials, or (de)activate them."""
    ensure_claims_member(actor, assessor.centre_id)
    assessor = CentreAssessor.objects.select_for_update().get(pk=assessor.pk)
    name, initials = name.strip(), initials.strip().upper()
    _check_initials(
        centre=assessor.centre,
        qualification=assessor.qualification,
        name=name,
        initials=initials,
        exclude_pk=assessor.pk,
    )
    before = {"name": assessor.name, "initials": assessor.initials, "active": assessor.is_active}
    assessor.name, assessor.initials, assessor.is_active = name, initials, is_active
    assessor.save(update_fields=["name", "initials", "is_active"])
    audit(
        actor=actor,
        centre=assessor.centre,
        action="claims.assessor_update",
        subject=str(assessor),
        assessor=assessor.pk,
        before=before,
    )
    return assessor


@transaction.atomic
def centre_assessor_deactivate(*, actor: User, assessor: CentreAssessor) -> None:
    """Stop offering the assessor on new lines; lines already naming them keep the name."""
    ensure_claims_member(actor, assessor.centre_id)
    updated = CentreAssessor.objects.filter(pk=assessor.pk, is_active=True).update(is_active=False)
    if updated:
        audit(
            actor=actor,
            centre=assessor.centre,
            action="claims.assessor_deactivate",
            subject=str(assessor),
            assessor=assessor.pk,
        )


# --- Building a claim (R-CLM-3 .. R-CLM-8, R-CLM-12) ----------------------------------


@transaction.atomic
def claim_start(*, actor: User, centre: Centre, qualification: Qualification) -> Claim:
    """Start the centre's claim for a qualification, or return the one already started.

    R-CLM-3: one Unsubmitted claim per centre and qualification, held by a database
    constraint, so two colleagues pressing "Create" together end up on the same claim.
    """
    ensure_claims_member(actor, centre.pk)
    if (
        qualification.route != Route.CLAIM
        or not Approval.objects.filter(centre=centre, qualification=qualification).exists()
    ):
        raise ClaimError(f"Your centre cannot make claims for {qualification.code}.")
    if not CentreAssessor.objects.filter(
        centre=centre, qualification=qualification, is_active=True
    ).exists():
        raise ClaimError(
            "At least one centre assessor must be set up before a claim can be made (R-CLM-1)."
        )
    existing = (
        Claim.objects.unsubmitted().filter(centre=centre, qualification=qualification).first()
    )
    if existing:
        return existing
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                centre=centre,
                qualification=qualification,
                contact_email=centre.contact_email,
                created_by=actor,
            )
    except IntegrityError:
        return Claim.objects.unsubmitted().get(centre=centre, qualification=qualification)
    audit(
        actor=actor,
        action="claims.start",
        subject=f"claim {claim.pk}",
        after=claim.status,
        reason="Claim started",
        entity=claim,
    )
    return claim


def _plan_lines(
    claim: Claim, entries: Mapping[Pair, tuple[str, int | None]]
) -> tuple[list[ClaimLine], list[ClaimLine], list[int], dict[Pair, str]]:
    """Split a save into lines to create, update and delete, and the refused pairs.

    A fixed number of queries however many entries there are.
    """
    registration_ids = {r for r, _ in entries}
    registrations = {r.pk: r for r in eligible_registrations(claim).filter(pk__in=registration_ids)}
    unit_ids = {qu.unit_id for qu in qualification_units(claim)}
    entered = unit_entries(eligible_registrations(claim).filter(pk__in=registration_ids))
    assessor_ids = {a.pk for a in active_assessors(claim)}
    blocked = blocked_pairs(claim, registration_id__in=registration_ids)
    existing = claim_lines(claim, registration_id__in=registration_ids)

    create, update, delete, errors = [], [], [], {}
    now = timezone.now()
    for pair, (grade, assessor_id) in entries.items():
        registration_id, unit_id = pair
        line = existing.get(pair)
        if not grade:  # "Not claiming" removes the unit for this candidate (R-CLM-8)
            if line:
                delete.append(line.pk)
            continue
        registration = registrations.get(registration_id)
        if registration is None:
            errors[pair] = "This candidate has no current registration on the qualification."
        elif unit_id not in unit_ids or (
            registration.entry_type == EntryType.UNIT
            and unit_id not in entered.get(registration_id, ())
        ):
            errors[pair] = "The candidate has no entry for this unit."
        elif pair in blocked:
            errors[pair] = f"Already claimed: {blocked[pair]}."
        elif claim.entry_is_late(registration):
            errors[pair] = (
                f"Entered on {registration.registered_on:%d/%m/%Y}, less than 4 weeks before "
                f"the moderation visit on {claim.visit_date:%d/%m/%Y} (R-CLM-12)."
            )
        elif grade not in Grade.values:
            errors[pair] = "Choose Pass, Merit, Distinction or Not claiming."
        elif assessor_id not in assessor_ids:
            errors[pair] = "Choose the centre assessor."
        elif line is None:
            create.append(
                ClaimLine(
                    claim=claim,
                    registration_id=registration_id,
                    unit_id=unit_id,
                    grade=grade,
                    assessor_id=assessor_id,
                    updated_at=now,
                )
            )
        elif (line.grade, line.assessor_id) != (grade, assessor_id):
            line.grade, line.assessor_id, line.updated_at = grade, assessor_id, now
            update.append(line)
    return create, update, delete, errors


@transaction.atomic
def claim_save_lines(
    *, actor: User, claim: Claim, entries: Mapping[Pair, tuple[str, int | None]]
) -> SaveOutcome:
    """Save the grades of one page ("Save claim", R-CLM-4, R-CLM-5, R-CLM-8).

    ``entries`` maps (registration id, unit id) to (grade or "" for Not claiming, centre
    assessor id). All or nothing: one refused row saves none of the page.
    """
    ensure_claims_member(actor, claim.centre_id)
    claim = _locked(claim)
    _require_editable(claim)
    create, update, delete, errors = _plan_lines(claim, entries)
    if errors:
        raise LineErrors(errors)
    ClaimLine.objects.bulk_create(create, batch_size=500)
    ClaimLine.objects.bulk_update(update, ["grade", "assessor", "updated_at"], batch_size=500)
    ClaimLine.objects.filter(pk__in=delete).delete()
    outcome = SaveOutcome(added=len(create), changed=len(update), removed=len(delete))
    if create or update or delete:
        audit(
            actor=actor,
            centre=claim.centre,
            action="claims.save_lines",
            subject=f"claim {claim.pk} ({claim.qualification.code})",
            added=outcome.added,
            changed=outcome.changed,
            removed=outcome.removed,
        )
    return outcome


@transaction.atomic
def claim_add_other_body_unit(
    *,
    actor: User,
    claim: Claim,
    registration_id: int,
    unit_id: int,
    assessor_id: int,
    awarding_body: str,
    grade: str,
) -> ClaimLine:
    """Add a unit the candidate achieved with another awarding body (R-CLM-7)."""
    ensure_claims_member(actor, claim.centre_id)
    claim = _locked(claim)
    _require_editable(claim)
    awarding_body = awarding_body.strip()
    if not awarding_body:
        raise ValidationError({"awarding_body": "Enter the name of the awarding body."})
    pair = (registration_id, unit_id)
    if claim.lines.filter(registration_id=registration_id, unit_id=unit_id).exists():
        raise ValidationError(
            {"unit": "This unit is already on the claim for the candidate; remove it first."}
        )
    create, _, _, errors = _plan_lines(claim, {pair: (grade, assessor_id)})
    if errors:
        raise ValidationError({"unit": errors[pair]})
    line = create[0]
    line.other_awarding_body = awarding_body
    line.save()
    audit(
        actor=actor,
        centre=claim.centre,
        action="claims.add_other_body_unit",
        subject=f"claim {claim.pk}: {line.unit_id} from {awarding_body}",
        line=line.pk,
    )
    return line


@transaction.atomic
def claim_update_details(
    *, actor: User, claim: Claim, contact_email: str, visit_date: date | None
) -> Claim:
    """Change the contact email and the planned moderation visit date (R-CLM-9, R-CLM-12)."""
    ensure_claims_member(actor, claim.centre_id)
    claim = _locked(claim)
    _require_editable(claim)
    claim.contact_email, claim.visit_date = contact_email, visit_date
    claim.save(update_fields=["contact_email", "visit_date"])
    audit(
        actor=actor,
        centre=claim.centre,
        action="claims.update_details",
        subject=f"claim {claim.pk}",
        contact_email=contact_email,
        visit_date=visit_date.isoformat() if visit_date else None,
    )
    return claim


def _as_json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def claim_admin_update(
    *,
    actor: User,
    claim: Claim,
    contact_email: str,
    visit_date: date | None,
    late_allowed: bool,
    reason: str,
) -> Claim:
    """An awarding-body admin corrects the contact or the visit date, or lifts R-CLM-12's
    deadlines for one claim, saying why; the audit trail keeps each value before and after.
    """
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only the awarding body's administrators can do this.")
    claim = _locked(claim)
    wanted = {
        "contact_email": contact_email,
        "visit_date": visit_date,
        "late_allowed": late_allowed,
    }
    changed = {field: value for field, value in wanted.items() if getattr(claim, field) != value}
    if not changed:
        return claim
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the claim changes."})
    before = {field: _as_json(getattr(claim, field)) for field in changed}
    for field, value in changed.items():
        setattr(claim, field, value)
    claim.save(update_fields=list(changed))
    audit(
        actor=actor,
        centre=claim.centre,
        action="claims.admin_update",
        subject=f"claim {claim.pk}",
        before=before,
        after={field: _as_json(value) for field, value in changed.items()},
        reason=reason,
    )
    return claim


class NotReconciled(ClaimError):
    """R-NEW-2, R-NEW-6: lines that no longer match the registrations."""

    def __init__(self, reconciliation: ClaimReconciliation) -> None:
        self.reconciliation = reconciliation
        found = "; ".join(
            f"{count} unit grade{'s' if count != 1 else ''}: {mismatch.says}"
            for mismatch, count in reconciliation.counts
        )
        super().__init__(
            f"Correct the claim before submitting: {found} Check your answers on the Check "
            "and submit page and fix each one first."
        )


@transaction.atomic
def claim_remove_line(*, actor: User, claim: Claim, line_id: int) -> ClaimLine:
    """Take one unit off the claim for one candidate (R-CLM-8), e.g. a line that does not
    reconcile with the registrations (R-NEW-2); possible only while Unsubmitted."""
    ensure_claims_member(actor, claim.centre_id)
    claim = _locked(claim)
    _require_editable(claim)
    line = claim.lines.select_related("registration__learner", "unit").filter(pk=line_id).first()
    if line is None:
        raise ClaimError("That unit grade is no longer on the claim.")
    line.delete()
    learner = line.registration.learner
    audit(
        actor=actor,
        centre=claim.centre,
        action="claims.remove_line",
        subject=f"claim {claim.pk} ({claim.qualification.code})",
        reason=f"{learner.full_name} ({learner.membership_number}) {line.unit.code} removed",
        line=line_id,
    )
    return line


@transaction.atomic
def claim_submit(
    *, actor: User, claim: Claim, contact_email: str, declared: bool, today: date | None = None
) -> Claim:
    """Submit the claim to the assessor (R-CLM-9): declaration, claim number, email."""
    ensure_claims_member(actor, claim.centre_id)
    claim = _locked(claim)
    _require_editable(claim)
    if not declared:
        raise ClaimError("Tick the centre declaration before submitting the claim.")
    if not claim.lines.exists():
        raise ClaimError("The claim has no unit grades yet; add some before submitting.")
    if claim.submission_is_late(today):
        raise ClaimError(
            f"Claims must be submitted at least 2 weeks before the moderation visit on "
            f"{claim.visit_date:%d/%m/%Y}; ask the awarding body to allow a late submission "
            "(R-CLM-12)."
        )
    # R-NEW-6: what the check page listed is checked again here, under the lock, so a
    # forged or stale POST cannot submit lines that no longer match the registrations.
    reconciliation = claim_reconciliation(claim, examples=0)
    if not reconciliation.clean:
        raise NotReconciled(reconciliation)
    now = timezone.now()
    claim.contact_email = contact_email
    claim.declared_at, claim.declared_by, claim.submitted_at = now, actor, now
    claim.number = _unused_code("number", prefix=f"{claim.centre.number}-")
    fsm.transition(claim, "submit", actor=actor, reason=f"Claim number {claim.number}")
    outbox.enqueue("claims.email_submitted", claim_pk=claim.pk)
    notices.claim_step(claim=claim, step="submitted")
    return claim


# --- The assessor's side (R-CLM-10) ---------------------------------------------------


@transaction.atomic
def claim_select_sample(*, actor: User, claim: Claim, line_ids: Iterable[int]) -> Claim:
    """Tick the candidate-units to see at the visit; the centre is emailed."""
    ensure_assigned_assessor(actor, claim.centre_id)
    claim = _locked(claim)
    if not fsm.can_take(claim, "sample"):
        raise ClaimError(
            f"The sample is chosen once, on a Submitted claim; this one is "
            f"{claim.get_status_display()}."
        )
    wanted = set(line_ids)
    found = set(claim.lines.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ClaimError("The sample names lines that are not on this claim.")
    if not found:
        raise ClaimError("Tick at least one candidate-unit for the sample.")
    claim.lines.update(sampled=False)
    claim.lines.filter(pk__in=found).update(sampled=True)
    claim.sampled_at = timezone.now()
    fsm.transition(claim, "sample", actor=actor, reason=f"{len(found)} candidate-units sampled")
    outbox.enqueue("claims.email_sampled", claim_pk=claim.pk)
    notices.claim_step(claim=claim, step="sampled")
    return claim


@transaction.atomic
def claim_finalise(
    *, actor: User, claim: Claim, outcomes: Mapping[int, str], note: str = ""
) -> Claim:
    """Record the grades agreed at the visit; reference made, centre emailed, then processed.

    ``outcomes`` maps line id to an agreed grade or "withdrawn"; a line left out keeps the
    grade claimed.
    """
    ensure_assigned_assessor(actor, claim.centre_id)
    claim = _locked(claim)
    if not fsm.can_take(claim, "finalise"):
        raise ClaimError(
            f"Only a Sampled claim can be finalised; this one is {claim.get_status_display()}."
        )
    allowed = {value for value, _ in OUTCOME_CHOICES}
    lines = list(claim.lines.only("pk", "grade", "outcome"))
    unknown = set(outcomes) - {line.pk for line in lines}
    if unknown:
        raise ClaimError("The outcomes name lines that are not on this claim.")
    amended = withdrawn = 0
    for line in lines:
        outcome = outcomes.get(line.pk) or line.grade
        if outcome not in allowed:
            raise ClaimError(f"{outcome!r} is not a grade.")
        line.outcome = outcome
        amended += outcome not in (line.grade, LINE_WITHDRAWN)
        withdrawn += outcome == LINE_WITHDRAWN
    ClaimLine.objects.bulk_update(lines, ["outcome"], batch_size=500)
    claim.finalised_at = timezone.now()
    claim.reference = _unused_code("reference", prefix=f"R{claim.centre.number}-")
    summary = f"{len(lines) - amended - withdrawn} agreed, {amended} amended, {withdrawn} withdrawn"
    fsm.transition(claim, "finalise", actor=actor, reason=f"{summary}. {note}".strip())
    outbox.enqueue("claims.email_finalised", claim_pk=claim.pk)
    notices.claim_step(claim=claim, step="finalised")
    outbox.enqueue("claims.process", claim_id=claim.pk)
    return claim


@transaction.atomic
def claim_withdraw(*, actor: User, claim: Claim, note: str) -> Claim:
    """Withdraw the whole claim; the centre is emailed."""
    ensure_assigned_assessor(actor, claim.centre_id)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say why the claim is withdrawn."})
    claim = _locked(claim)
    claim.withdrawn_at = timezone.now()
    fsm.transition(claim, "withdraw", actor=actor, reason=note)
    outbox.enqueue("claims.email_withdrawn", claim_pk=claim.pk)
    notices.claim_step(claim=claim, step="withdrawn")
    return claim


# --- Processing (R-CLM-10, R-PAR-2) ---------------------------------------------------


@transaction.atomic
def claim_process(*, claim_id: int) -> bool:
    """Post a Finalised claim's agreed grades to the PAR and mark it Processed.

    Idempotent: a claim that is not Finalised is left alone, so a second run (a retried
    task, the sweep) changes nothing. A claim whose lines were all withdrawn stays
    Finalised, as the claims guide says.
    """
    claim = (
        Claim.objects.select_for_update()
        .select_related("centre", "qualification")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None or not fsm.can_take(claim, "process"):
        return False
    lines = list(
        claim.lines.exclude(outcome=LINE_WITHDRAWN).values_list(
            "registration_id", "unit_id", "outcome", "grade"
        )
    )
    if not lines:
        return False
    now = timezone.now()
    source = f"Claim {claim.number}"
    # PAR owns its selections and R-PAR-5: it selects the lines' units where none is
    # selected yet, and refuses (and records) any whose registration no longer allows it.
    selections = selections_for_results(
        centre=claim.centre, pairs={(r, u) for r, u, _, _ in lines}, source=source, at=now
    )
    by_grade: dict[str, list[int]] = defaultdict(list)
    for registration_id, unit_id, outcome, grade in lines:
        selection_id = selections.ids.get((registration_id, unit_id))
        if selection_id is not None:
            by_grade[outcome or grade].append(selection_id)
    for grade, ids in sorted(by_grade.items()):
        selections_record_result(selection_ids=ids, result=grade, source=source, at=now)
    claim.processed_at = now
    # R-CRT-2: learners whose passed units now complete the qualification get the full award.
    # The claim goes with them: its awards get the batches' dispatch clock (R-SLA-2).
    outbox.enqueue(
        "certificates.award",
        registration_ids=sorted({r for r, _, _, _ in lines}),
        claim_id=claim.pk,
    )
    fsm.transition(claim, "process", actor=None, reason=f"{len(lines)} results posted to the PAR")
    return True
