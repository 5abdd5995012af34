"""R-BAT-6: the minimum sample, and "Submit Batch"."""

import pytest

from centres.tests.factories import LearnerFactory, RegistrationFactory
from moderation import services
from moderation.models import BatchStatus, CentreSampleRate

from .factories import bulk_learner_units, make_batch

S = BatchStatus


def _batch_with(world, claimed: int, samples: int, *, earlier: bool = True):
    if earlier:
        # A submitted batch before this one: not the centre's first submission.
        make_batch(world, S.COMPLETE, selections=[])
    selections = bulk_learner_units(world.centre, world.qualification, -(-claimed // 4))[:claimed]
    return make_batch(world, S.CENTRE_COMPLETING, selections=selections, samples=samples)


@pytest.mark.parametrize(
    ("claimed", "required"), [(1, 1), (6, 1), (7, 2), (20, 3), (40, 6), (100, 15), (101, 16)]
)
def test_r_bat_6_fifteen_percent_rounded_up_at_least_one(world, claimed, required):
    batch = _batch_with(world, claimed, 0)
    assert batch.sample_rule().required == required


def test_r_bat_6_first_submission_needs_every_unit(world):
    batch = _batch_with(world, 8, 0, earlier=False)
    rule = batch.sample_rule()
    assert (rule.required, rule.percent) == (8, 100)
    assert "first submission" in rule.reason


def test_r_bat_6_draft_batches_and_deleted_ones_do_not_count_as_earlier(world):
    make_batch(world)  # a draft of the same qualification
    deleted = make_batch(world, S.WITH_MODERATOR, selections=[])
    deleted.deleted_at = deleted.submitted_at
    deleted.save()
    batch = _batch_with(world, 8, 0, earlier=False)
    assert batch.sample_rule().percent == 100


def test_r_bat_6_admin_rate_for_the_centre_wins(world):
    CentreSampleRate.objects.create(centre=world.centre, percent=50)
    batch = _batch_with(world, 8, 0, earlier=False)
    assert (batch.sample_rule().required, batch.sample_rule().percent) == (4, 50)


def test_r_bat_6_submit_refused_with_the_shortfall_until_met(world):
    batch = _batch_with(world, 20, 2)
    with pytest.raises(services.SampleShortfall, match="1 more learner-unit") as caught:
        services.batch_submit(actor=world.admin, batch=batch)
    assert caught.value.rule.shortfall == 1
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
    batch = _batch_with(world, 20, 3)
    services.batch_submit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    assert batch.sample_required == 3


def test_r_bat_6_first_batch_stays_first_after_it_is_submitted(world):
    learner = RegistrationFactory(
        learner=LearnerFactory(centre=world.centre), qualification=world.qualification
    ).learner
    del learner
    batch = _batch_with(world, 4, 4, earlier=False)
    services.batch_submit(actor=world.admin, batch=batch)
    batch.refresh_from_db()
    assert batch.is_first_submission()
    assert batch.sample_rule().percent == 100


def test_submit_refused_for_a_moderator_or_other_centre(world):
    batch = _batch_with(world, 4, 4)
    for actor in (world.moderator, world.outsider):
        with pytest.raises(services.BatchPermissionError):
            services.batch_submit(actor=actor, batch=batch)
