"""R-SLA-3 for claims: beat heals a Finalised claim whose processing message was lost."""

from datetime import timedelta

from django.utils import timezone

from claims.models import Claim, ClaimStatus
from claims.tasks import sweep_finalised_claims
from par.models import UnitSelection

from .conftest import finalised_claim


def lost_message_claim(cw, django_capture_on_commit_callbacks, minutes_ago: int) -> Claim:
    # execute=False: the processing task queued on commit never reaches a worker.
    with django_capture_on_commit_callbacks(execute=False):
        claim = finalised_claim(cw)
    Claim.objects.filter(pk=claim.pk).update(
        finalised_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return claim


def test_sweep_processes_a_claim_whose_message_was_lost(cw, django_capture_on_commit_callbacks):
    claim = lost_message_claim(cw, django_capture_on_commit_callbacks, minutes_ago=30)
    assert sweep_finalised_claims() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    assert UnitSelection.objects.filter(result_source=f"Claim {claim.number}").exists()


def test_sweep_twice_processes_once(cw, django_capture_on_commit_callbacks):
    claim = lost_message_claim(cw, django_capture_on_commit_callbacks, minutes_ago=30)
    assert sweep_finalised_claims() == 1
    history = claim.history.count()
    assert sweep_finalised_claims() == 0
    assert claim.history.count() == history


def test_sweep_leaves_a_just_finalised_claim_to_its_own_task(
    cw, django_capture_on_commit_callbacks
):
    claim = lost_message_claim(cw, django_capture_on_commit_callbacks, minutes_ago=1)
    assert sweep_finalised_claims() == 0
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FINALISED


def test_beat_runs_the_sweep():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "claims.tasks.sweep_finalised_claims" in tasks
