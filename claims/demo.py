"""Demo data for claims: what the claims journey needs on top of ``centres.demo``."""

from __future__ import annotations

from django.db import transaction

from centres.demo import CLAIM_QUALIFICATION, days_ago
from centres.models import Centre, Qualification, User

from .models import AssessorAssignment, CentreAssessor, Claim

DEMO_CENTRE = "10001"
DEMO_ASSESSOR = "assessor@demo.test"


@transaction.atomic
def seed_claims() -> bool:
    """Give Northgate a centre assessor on 05839 and its visiting assessor. Idempotent.

    Return False when there is no demo to extend or it was already extended.
    """
    centre = Centre.objects.filter(number=DEMO_CENTRE).first()
    qualification = Qualification.objects.filter(code=CLAIM_QUALIFICATION[0]).first()
    assessor = User.objects.filter(email=DEMO_ASSESSOR).first()
    if not (centre and qualification and assessor):
        return False
    _, made_assessor = CentreAssessor.objects.get_or_create(
        centre=centre,
        qualification=qualification,
        initials="HB",
        defaults={"name": "Hannah Brooks"},
    )
    _, made_assignment = AssessorAssignment.objects.get_or_create(assessor=assessor, centre=centre)
    return made_assessor or made_assignment


# --- The lived-in demo (issue 14) -------------------------------------------------------------
# Claims in every status, through the services, each step moved back to its day. Northgate's
# claims use IT04-IT08 on learners from the back of the list, so "Create claim" still starts
# an Unsubmitted claim there and IT01-IT03 stay free for the claims guide's journey.


def _registrations(centre: Centre, qualification: Qualification, *, full_entry: bool):
    from centres.models import EntryType, Registration

    found = Registration.objects.filter(
        centre=centre, qualification=qualification, is_current=True
    ).order_by("-learner__membership_number")
    if full_entry:
        found = found.filter(entry_type=EntryType.FULL)
    return list(found)


def _claim(actor, centre, qualification, lines, assessor) -> Claim:
    from . import services

    claim = services.claim_start(actor=actor, centre=centre, qualification=qualification)
    services.claim_save_lines(
        actor=actor,
        claim=claim,
        entries={(r.pk, unit.pk): (grade, assessor.pk) for r, unit, grade in lines},
    )
    return claim


def _submit(actor, claim: Claim) -> Claim:
    from . import services

    return services.claim_submit(
        actor=actor, claim=claim, contact_email=claim.centre.contact_email, declared=True
    )


def seed_claim_activity() -> None:
    """Northgate: Submitted, Sampled, Finalised, Processed, Withdrawn; Riverside: Unsubmitted
    and a Processed claim that completes a learner's diploma (its certificate waits for print).
    """
    from certificates.services import certificates_award_for_registrations

    from . import services
    from .models import LINE_WITHDRAWN

    qualification = Qualification.objects.get(code=CLAIM_QUALIFICATION[0])
    units = {u.code: u for u in qualification.units.all()}
    assessor = User.objects.get(email=DEMO_ASSESSOR)
    north = Centre.objects.get(number=DEMO_CENTRE)
    admin = User.objects.get(email="admin@demo.test")
    hannah = CentreAssessor.objects.get(centre=north, qualification=qualification, initials="HB")
    full = _registrations(north, qualification, full_entry=True)

    def north_claim(code, picks, grades=("merit", "pass")):
        return _claim(
            admin,
            north,
            qualification,
            [(r, units[code], grades[i % len(grades)]) for i, r in enumerate(picks)],
            hannah,
        )

    def sample_all(claim):
        services.claim_select_sample(
            actor=assessor, claim=claim, line_ids=claim.lines.values_list("pk", flat=True)
        )

    with days_ago(40):
        processed = _submit(admin, north_claim("IT07", full[0:3], ("merit", "distinction")))
    with days_ago(33):
        sample_all(processed)
    with days_ago(19):
        first = processed.lines.order_by("pk").first()
        services.claim_finalise(actor=assessor, claim=processed, outcomes={first.pk: "pass"})
        services.claim_process(claim_id=processed.pk)
    with days_ago(30):
        withdrawn = _submit(admin, north_claim("IT08", full[3:5]))
    with days_ago(24):
        services.claim_withdraw(
            actor=assessor,
            claim=withdrawn,
            note="The centre asked to withdraw it: the grades were entered for the wrong cohort.",
        )
    with days_ago(21):
        finalised = _submit(admin, north_claim("IT06", full[5:7]))
    with days_ago(15):
        sample_all(finalised)
    with days_ago(9):
        services.claim_finalise(
            actor=assessor,
            claim=finalised,
            outcomes=dict.fromkeys(finalised.lines.values_list("pk", flat=True), LINE_WITHDRAWN),
            note="No evidence was available at the visit; the centre will claim again.",
        )
    with days_ago(12):
        sampled = _submit(admin, north_claim("IT05", full[7:10]))
    with days_ago(5):
        sample_all(sampled)
    with days_ago(3):
        _submit(admin, north_claim("IT04", full[10:12]))

    # Riverside: its own centre assessor, and the visiting assessor goes there too.
    river = Centre.objects.get(number="10002")
    olive = User.objects.get(email="other@demo.test")
    AssessorAssignment.objects.get_or_create(assessor=assessor, centre=river)
    river_regs = _registrations(river, qualification, full_entry=True)
    with days_ago(35):
        rita = services.centre_assessor_create(
            actor=olive, centre=river, qualification=qualification, name="Rita Osei", initials="RO"
        )
        award = _claim(
            olive,
            river,
            qualification,
            [(river_regs[0], units[f"IT0{n}"], "merit") for n in range(1, 7)],
            rita,
        )
        _submit(olive, award)
    with days_ago(28):
        sample_all(award)
    with days_ago(8):
        services.claim_finalise(actor=assessor, claim=award, outcomes={})
        services.claim_process(claim_id=award.pk)
        certificates_award_for_registrations(registration_ids=[river_regs[0].pk], claim_id=award.pk)
    with days_ago(2):
        _claim(olive, river, qualification, [(river_regs[1], units["IT04"], "pass")], rita)
