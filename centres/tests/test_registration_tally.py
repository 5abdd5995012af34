"""RegistrationTally stays the exact count of current registrations, whoever writes them
(issue 9): the ORM one at a time, bulk_create/bulk_update as imports do, QuerySet.update(),
a learner moving centre, a cascade, raw SQL. Checked against a real count after each write,
on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest
from django.db import connection

from centres.models import Registration, RegistrationTally
from centres.selectors import current_registration_counts

from .factories import CentreFactory, LearnerFactory, QualificationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def counted(centre, qualification) -> int:
    return Registration.objects.filter(
        centre=centre, qualification=qualification, is_current=True
    ).count()


def assert_exact() -> None:
    assert RegistrationTally.TALLY.mismatches() == {}


@pytest.fixture
def world():
    centres = CentreFactory.create_batch(2)
    qualifications = QualificationFactory.create_batch(2)
    return centres, qualifications


def test_one_at_a_time_and_the_selector(world):
    (north, south), (q1, q2) = world
    RegistrationFactory(learner__centre=north, qualification=q1)
    RegistrationFactory(learner__centre=north, qualification=q1)
    RegistrationFactory(learner__centre=north, qualification=q2, is_current=False)
    RegistrationFactory(learner__centre=south, qualification=q2)
    assert_exact()
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 2}
    assert current_registration_counts(centre_id=north.pk, qualification_id=q1.pk) == {q1.pk: 2}
    assert current_registration_counts(centre_id=south.pk) == {q2.pk: 1}
    assert current_registration_counts(centre_id=north.pk, qualification_id=q2.pk) == {}


def test_bulk_writes_as_imports_make_them(world):
    (north, south), (q1, q2) = world
    learners = LearnerFactory.create_batch(30, centre=north)
    Registration.objects.bulk_create(
        Registration(learner=learner, qualification=q, centre=north, is_current=i % 3 != 0)
        for i, learner in enumerate(learners)
        for q in (q1, q2)
    )
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 20, q2.pk: 20}
    changed = list(Registration.objects.filter(qualification=q1).order_by("pk")[:10])
    for registration in changed:
        registration.is_current = not registration.is_current
    Registration.objects.bulk_update(changed, ["is_current"])
    assert current_registration_counts(centre_id=north.pk)[q1.pk] == counted(north, q1)
    assert_exact()


def test_updates_that_move_a_row_in_or_out_or_between_keys(world):
    (north, south), (q1, q2) = world
    registration = RegistrationFactory(learner__centre=north, qualification=q1)
    other = RegistrationFactory(learner__centre=north, qualification=q1)
    Registration.objects.filter(pk=registration.pk).update(is_current=False)
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 1}
    Registration.objects.filter(pk=registration.pk).update(is_current=True, qualification=q2)
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 1, q2.pk: 1}
    # A save of unchanged keys (every column written) leaves the count alone.
    other.entry_type = "unit"
    other.save()
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 1, q2.pk: 1}
    # A learner moving centre carries its registrations (Learner.save).
    learner = registration.learner
    learner.centre = south
    learner.save()
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 1}
    assert current_registration_counts(centre_id=south.pk) == {q2.pk: 1}
    assert_exact()


def test_deletes_and_cascades(world):
    (north, _), (q1, q2) = world
    registrations = [RegistrationFactory(learner__centre=north, qualification=q1) for _ in range(3)]
    registrations[0].delete()
    registrations[1].learner.delete()  # the registration goes by cascade
    assert current_registration_counts(centre_id=north.pk) == {q1.pk: 1}
    Registration.objects.all().delete()
    assert current_registration_counts(centre_id=north.pk) == {}
    assert_exact()


def test_hand_written_sql(world):
    (north, _), (q1, _) = world
    registration = RegistrationFactory(learner__centre=north, qualification=q1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE centres_registration SET is_current = %s WHERE id = %s",
            [False, registration.pk],
        )
    assert current_registration_counts(centre_id=north.pk) == {}
    assert_exact()


def test_mismatches_sees_a_tally_gone_wrong(world):
    """The check the other tests rely on can fail."""
    (north, _), (q1, _) = world
    RegistrationFactory(learner__centre=north, qualification=q1)
    RegistrationTally.objects.filter(centre_id=north.pk).update(n=5)
    assert RegistrationTally.TALLY.mismatches() == {(north.pk, q1.pk): (5, 1)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so only PostgreSQL can show two imports racing",
)
def test_concurrent_writers_on_one_key_stay_exact():
    """Two imports adding and retiring registrations of the same centre and qualification
    at the same instant, each in its own transaction: the upserts queue on the tally row."""
    import threading

    from django.db import connections, transaction

    north, qualification = CentreFactory(), QualificationFactory()
    retiring = [
        RegistrationFactory(learner__centre=north, qualification=qualification) for _ in range(6)
    ]
    barrier = threading.Barrier(2)
    errors = []

    def write(half: int):
        try:
            learners = LearnerFactory.create_batch(20, centre=north)
            barrier.wait()
            with transaction.atomic():
                Registration.objects.bulk_create(
                    Registration(learner=learner, qualification=qualification, centre=north)
                    for learner in learners
                )
                Registration.objects.filter(pk__in=[r.pk for r in retiring[half::2]]).update(
                    is_current=False
                )
        except Exception as error:  # reported below: a thread's failure is the test's
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(half,)) for half in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_registration_counts(centre_id=north.pk) == {qualification.pk: 40}
    assert_exact()
