"""Every claims URL, every persona (R-ACC-1, R-ACC-2)."""

from centres.models import Section
from centres.tests.factories import ApprovalFactory, RegistrationFactory
from claims.models import ClaimStatus
from hub.tests.matrix import body_page, everyone, register, section_page

from .factories import (
    AssessorAssignmentFactory,
    CentreAssessorFactory,
    ClaimFactory,
    ClaimLineFactory,
    ClaimQualificationFactory,
)

CLAIMS = Section.CLAIMS
SCOPED = section_page(CLAIMS, scoped=True)
SCOPED_POST = section_page(CLAIMS, ok=302, scoped=True)
POST_ONLY = everyone(405)


def _qualification(w):
    """A claim-route qualification approved at our centre, with one centre assessor."""
    if "claim_q" not in w.__dict__:
        qualification = ClaimQualificationFactory(units=3)
        ApprovalFactory(centre=w.centre, qualification=qualification)
        w.claim_q = qualification
        w.centre_assessor = CentreAssessorFactory(
            centre=w.centre, qualification=qualification, initials="AC"
        )
        w.claim_registration = RegistrationFactory(learner=w.learner, qualification=qualification)
    return w.claim_q


def _claim(w, status=ClaimStatus.UNSUBMITTED, assigned=True):
    """A claim of our centre with one line; its assessor visits the centre if ``assigned``."""
    qualification = _qualification(w)
    number = None if status == ClaimStatus.UNSUBMITTED else f"{w.centre.number}-000001"
    claim = ClaimFactory(centre=w.centre, qualification=qualification, status=status, number=number)
    w.claim_line = ClaimLineFactory(
        claim=claim,
        registration=w.claim_registration,
        unit=qualification.qualification_units.first().unit,
        assessor=w.centre_assessor,
    )
    if assigned:
        AssessorAssignmentFactory(assessor=w.assessor, centre=w.centre)
    return claim


def claim_kwargs(status=ClaimStatus.UNSUBMITTED, assigned=True):
    return lambda w: {"pk": _claim(w, status, assigned).pk}


# Qualifications, centre assessors
register("claims:index", expect=section_page(CLAIMS))
register(
    "claims:claim-create",
    expect=POST_ONLY,
    kwargs=lambda w: {"qualification_pk": _qualification(w).pk},
    label="GET",
)
register(
    "claims:claim-create",
    method="post",
    kwargs=lambda w: {"qualification_pk": _qualification(w).pk},
    expect=SCOPED_POST,
    label="POST",
)
register(
    "claims:centre-assessor-list",
    kwargs=lambda w: {"qualification_pk": _qualification(w).pk},
    expect=SCOPED,
)
register(
    "claims:centre-assessor-create",
    kwargs=lambda w: {"qualification_pk": _qualification(w).pk},
    expect=SCOPED,
    label="GET",
)
register(
    "claims:centre-assessor-create",
    method="post",
    kwargs=lambda w: {"qualification_pk": _qualification(w).pk},
    data=lambda w: {"name": "Tom Okafor", "initials": "TO"},
    expect=SCOPED_POST,
    label="POST",
)
register(
    "claims:centre-assessor-edit",
    kwargs=lambda w: {"pk": (_qualification(w), w.centre_assessor)[1].pk},
    expect=SCOPED,
    label="GET",
)
register(
    "claims:centre-assessor-edit",
    method="post",
    kwargs=lambda w: {"pk": (_qualification(w), w.centre_assessor)[1].pk},
    data=lambda w: {"name": "Ann Cole", "initials": "AC", "is_active": "on"},
    expect=SCOPED_POST,
    label="POST",
)
register(
    "claims:centre-assessor-deactivate",
    kwargs=lambda w: {"pk": (_qualification(w), w.centre_assessor)[1].pk},
    expect=POST_ONLY,
    label="GET",
)
register(
    "claims:centre-assessor-deactivate",
    method="post",
    kwargs=lambda w: {"pk": (_qualification(w), w.centre_assessor)[1].pk},
    expect=SCOPED_POST,
    label="POST",
)

# History: each member sees their own centre's (the outsider an empty one).
register("claims:history", expect=section_page(CLAIMS))
register("claims:history-export", expect=section_page(CLAIMS))

# One claim
register("claims:claim-detail", kwargs=claim_kwargs(), expect=SCOPED)
register("claims:claim-update-details", kwargs=claim_kwargs(), expect=POST_ONLY, label="GET")
register(
    "claims:claim-update-details",
    method="post",
    kwargs=claim_kwargs(),
    data=lambda w: {"contact_email": "exams@centre.test", "visit_date": ""},
    expect=SCOPED_POST,
    label="POST",
)
register("claims:by-candidate", kwargs=claim_kwargs(), expect=SCOPED)
register(
    "claims:candidate-edit",
    kwargs=lambda w: {"pk": _claim(w).pk, "registration_pk": w.claim_registration.pk},
    expect=SCOPED,
    label="GET",
)
register(
    "claims:candidate-edit",
    method="post",
    kwargs=lambda w: {"pk": _claim(w).pk, "registration_pk": w.claim_registration.pk},
    data=lambda w: {
        f"grade-{w.claim_line.unit_id}": "merit",
        f"assessor-{w.claim_line.unit_id}": str(w.centre_assessor.pk),
    },
    expect=SCOPED_POST,
    label="POST",
)
register(
    "claims:other-body",
    kwargs=lambda w: {"pk": _claim(w).pk, "registration_pk": w.claim_registration.pk},
    expect=SCOPED,
)
register("claims:by-unit", kwargs=claim_kwargs(), expect=SCOPED)
register(
    "claims:unit-edit",
    kwargs=lambda w: {"pk": _claim(w).pk, "unit_pk": w.claim_line.unit_id},
    expect=SCOPED,
)
register("claims:claim-check", kwargs=claim_kwargs(), expect=SCOPED)
register("claims:claim-submit", kwargs=claim_kwargs(), expect=POST_ONLY, label="GET")
register(
    "claims:claim-submit",
    method="post",
    kwargs=claim_kwargs(),
    # Without the declaration the check page comes back with the error: nothing submitted.
    data=lambda w: {"contact_email": "exams@centre.test"},
    expect=SCOPED,
    label="POST-undeclared",
)
register(
    "claims:line-remove",
    kwargs=lambda w: {"pk": _claim(w).pk, "line_pk": w.claim_line.pk},
    expect=SCOPED,
)
register(
    "claims:line-remove",
    method="post",
    kwargs=lambda w: {"pk": _claim(w).pk, "line_pk": w.claim_line.pk},
    expect=SCOPED_POST,
    label="POST",
)
register("claims:claim-print", kwargs=claim_kwargs(), expect=SCOPED)
register("claims:claim-export", kwargs=claim_kwargs(), expect=SCOPED)

# The visiting assessor
register("claims:assessor-list", expect=body_page("assessor"))
register(
    "claims:assessor-claim",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED),
    expect=body_page("assessor"),
)
register(
    "claims:assessor-claim",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED, assigned=False),
    expect=body_page("assessor", assessor=404),
    label="not-assigned",
)
register(
    "claims:assessor-claim",
    kwargs=claim_kwargs(ClaimStatus.UNSUBMITTED),
    expect=body_page("assessor", assessor=404),
    label="unsubmitted",
)
register(
    "claims:assessor-sample",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED),
    expect=POST_ONLY,
    label="GET",
)
register(
    "claims:assessor-sample",
    method="post",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED),
    data=lambda w: {"sample": [w.claim_line.pk]},
    expect=body_page("assessor", ok=302),
    label="POST",
)
register(
    "claims:assessor-finalise",
    kwargs=claim_kwargs(ClaimStatus.SAMPLED),
    expect=POST_ONLY,
    label="GET",
)
register(
    "claims:assessor-finalise",
    method="post",
    kwargs=claim_kwargs(ClaimStatus.SAMPLED),
    data=lambda w: {f"outcome-{w.claim_line.pk}": "distinction", "note": ""},
    expect=body_page("assessor", ok=302),
    label="POST",
)
register(
    "claims:assessor-withdraw",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED),
    expect=POST_ONLY,
    label="GET",
)
register(
    "claims:assessor-withdraw",
    method="post",
    kwargs=claim_kwargs(ClaimStatus.SUBMITTED),
    data=lambda w: {"note": "Centre asked to withdraw"},
    expect=body_page("assessor", ok=302),
    label="POST",
)
