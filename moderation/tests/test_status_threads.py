"""Status fields under a threaded server: parallel reads, refreshes and a transition, no 500.

django-fsm-2's own refresh switched a flag shared by every thread, so parallel GETs of a
read-only batch page failed with "Direct status modification is not allowed" (issue 12).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import reverse

from conftest import make_world
from moderation import services
from moderation.models import Batch, BatchHistory, BatchStatus, HistoryEvent

from .factories import make_batch

S = BatchStatus
THREADS = 8
TASKS = 80


@pytest.fixture
def _threads_share_the_test_database(settings):
    """Let SQLite's in-memory test database serve threads as a WAL file serves processes.

    Threads reach pytest-django's in-memory SQLite database through a shared cache, whose
    table locks fail at once ("database table is locked") instead of waiting as the file
    database of ``make run`` does. Readers there take no table locks with
    read_uncommitted, and sessions in a signed cookie keep each GET from writing; the
    batch's own transaction is untouched. PostgreSQL needs neither.
    """
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    def no_read_locks(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(no_read_locks)
    yield
    connection_created.disconnect(no_read_locks)


def _logged_in_cookies(user) -> dict:
    client = Client()
    client.force_login(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_threads_share_the_test_database")
def test_parallel_reads_refreshes_and_a_transition_raise_nothing():
    world = make_world()
    batch = make_batch(world, S.CENTRE_COMPLETING, samples=4)
    cookies = _logged_in_cookies(world.admin)
    page = reverse("moderation:batch-detail", args=[batch.pk])

    def work(index: int) -> tuple[int, set[str]]:
        try:
            if index == TASKS // 2:
                # "Submit Batch" half-way through, while the other threads keep reading.
                services.batch_submit(actor=world.admin, batch=Batch.objects.get(pk=batch.pk))
            seen = set()
            mine = Batch.objects.get(pk=batch.pk)
            for _ in range(5):
                mine.refresh_from_db()
                seen.add(mine.status)
            client = Client()
            client.cookies.load(cookies)
            return client.get(page).status_code, seen
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        # .result() re-raises whatever a thread raised: any exception fails the test.
        results = [future.result() for future in [pool.submit(work, i) for i in range(TASKS)]]

    assert [status for status, _ in results] == [200] * TASKS
    assert set().union(*(seen for _, seen in results)) <= {S.CENTRE_COMPLETING, S.WITH_MODERATOR}
    batch.refresh_from_db()
    assert batch.status == S.WITH_MODERATOR
    assert BatchHistory.objects.filter(batch=batch, event=HistoryEvent.TRANSITION).count() == 1


def test_status_still_refuses_direct_assignment_after_a_refresh(world):
    batch = make_batch(world, S.CENTRE_COMPLETING)
    batch.refresh_from_db()
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        batch.status = S.COMPLETE
    batch.refresh_from_db()
    assert batch.status == S.CENTRE_COMPLETING
