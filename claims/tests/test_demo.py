"""The claims demo extension is idempotent and makes the journey possible on the demo."""

import pytest

from centres.demo import seed
from claims.demo import seed_claims
from claims.models import AssessorAssignment, CentreAssessor


@pytest.mark.django_db
def test_seed_claims_once():
    assert seed_claims() is False  # no demo loaded: nothing to extend
    seed()
    assert seed_claims() is True
    assert seed_claims() is False
    assessor = CentreAssessor.objects.get()
    assert (assessor.centre.number, assessor.qualification.code) == ("10001", "05839")
    assignment = AssessorAssignment.objects.get()
    assert (assignment.assessor.email, assignment.centre.number) == ("assessor@demo.test", "10001")


@pytest.mark.django_db
def test_seed_demo_command_runs_it(capsys):
    from django.core.management import call_command

    call_command("seed_demo", "--quiet")
    assert AssessorAssignment.objects.filter(centre__number="10001").exists()
