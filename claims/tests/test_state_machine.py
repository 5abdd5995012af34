"""R-CLM-10: the claim's statuses move only along the guide's arrows."""

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from claims import services
from claims.models import Claim, ClaimStatus

from .conftest import claim_with_lines, finalised_claim, sampled_claim, submitted_claim
from .factories import ClaimFactory, ClaimLineFactory

S = ClaimStatus
# R-CLM-10, as the claims guide draws it. Nothing else may ever happen.
ARROWS = {
    (S.UNSUBMITTED, S.SUBMITTED),
    (S.SUBMITTED, S.SAMPLED),
    (S.SAMPLED, S.FINALISED),
    (S.FINALISED, S.PROCESSED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.SAMPLED, S.WITHDRAWN),
}
TRANSITIONS = ["submit", "sample", "finalise", "process", "withdraw"]


def test_r_clm_10_statuses_are_the_guides():
    assert [label for _, label in ClaimStatus.choices] == [
        "Unsubmitted",
        "Submitted",
        "Sampled",
        "Finalised",
        "Processed",
        "Withdrawn",
    ]


def test_r_clm_10_declared_arrows_are_exactly_the_guides():
    declared = {(S(t.source), S(t.target)) for t in Claim().get_all_status_transitions()}
    assert declared == ARROWS


NOT_ARROWS = [(a, b) for a in ClaimStatus for b in ClaimStatus if (a, b) not in ARROWS]


@pytest.mark.parametrize(("source", "target"), NOT_ARROWS, ids=lambda s: str(s))
def test_r_clm_10_state_machine_refuses_every_other_arrow(db, source, target):
    """From ``source``, no transition method lands on ``target``."""
    for name in TRANSITIONS:
        claim = ClaimFactory(status=source)
        ClaimLineFactory(claim=claim, sampled=True)
        try:
            getattr(claim, name)()
        except TransitionNotAllowed:
            assert claim.status == source
            continue
        assert claim.status != target
        assert (source, claim.status) in ARROWS


def test_r_clm_10_status_cannot_be_assigned_directly(db):
    claim = ClaimFactory()
    with pytest.raises(AttributeError):
        claim.status = ClaimStatus.PROCESSED


def test_r_clm_10_centre_users_cannot_take_assessor_arrows(cw):
    claim = submitted_claim(cw)
    with pytest.raises(PermissionDenied):
        services.claim_select_sample(
            actor=cw.world.admin, claim=claim, line_ids=[claim.lines.first().pk]
        )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


@pytest.mark.parametrize(
    ("build", "action"),
    [
        (claim_with_lines, "sample"),
        (claim_with_lines, "finalise"),
        (claim_with_lines, "withdraw"),
        (submitted_claim, "submit"),
        (submitted_claim, "finalise"),
        (sampled_claim, "submit"),
        (sampled_claim, "sample"),
        (finalised_claim, "submit"),
        (finalised_claim, "sample"),
        (finalised_claim, "finalise"),
        (finalised_claim, "withdraw"),
    ],
)
def test_r_clm_10_services_refuse_moves_off_the_arrows(cw, build, action):
    """Through the services too: a wrong-status call changes nothing and writes no history."""
    claim = build(cw)
    before = (claim.status, claim.history.count())
    calls = {
        "submit": lambda: services.claim_submit(
            actor=cw.world.admin, claim=claim, contact_email="a@b.test", declared=True
        ),
        "sample": lambda: services.claim_select_sample(
            actor=cw.world.assessor, claim=claim, line_ids=[claim.lines.first().pk]
        ),
        "finalise": lambda: services.claim_finalise(
            actor=cw.world.assessor, claim=claim, outcomes={}
        ),
        "withdraw": lambda: services.claim_withdraw(
            actor=cw.world.assessor, claim=claim, note="No evidence"
        ),
    }
    with pytest.raises(services.ClaimError):
        calls[action]()
    claim.refresh_from_db()
    assert (claim.status, claim.history.count()) == before


def test_r_new_3_every_transition_writes_history(cw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        claim = finalised_claim(cw)
    services.claim_process(claim_id=claim.pk)
    rows = list(claim.history.order_by("at", "pk").values_list("from_status", "to_status"))
    assert rows == [
        ("", S.UNSUBMITTED),
        (S.UNSUBMITTED, S.SUBMITTED),
        (S.SUBMITTED, S.SAMPLED),
        (S.SAMPLED, S.FINALISED),
        (S.FINALISED, S.PROCESSED),
    ]
    actors = list(claim.history.order_by("at", "pk").values_list("actor__email", flat=True))
    assert actors == [
        cw.world.admin.email,
        cw.world.admin.email,
        cw.world.assessor.email,
        cw.world.assessor.email,
        None,
    ]
