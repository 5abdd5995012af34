"""The session engine (hub/session_store.py): one cheap read per request, never a stale session.

Sessions stay in the database, which every process and node shares, and are read from it
on every request (issue 9 measured a shared-cache copy in Redis: it cost more CPU per
request than this read, see bench/README.md). So what one process does to a session,
every other sees on its next request, and Redis going away cannot touch a session.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

LEARNERS = "centres:learner-list"


def _session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _same_browser_elsewhere(client) -> Client:
    """A second client with the same session cookie: the same person served by another
    process (or node) than the one ``client`` reaches."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = _session_key(client)
    return other


def test_the_session_engine_is_the_database_one_with_a_plain_read():
    assert settings.SESSION_ENGINE == "hub.session_store"


def test_a_logout_served_by_another_process_ends_the_session_here(member_client):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    elsewhere = _same_browser_elsewhere(member_client)
    assert elsewhere.get(reverse(LEARNERS)).status_code == 200

    assert elsewhere.post(reverse("logout")).status_code == 302

    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_deleted_by_another_process_is_not_served_from_this_ones_memory(
    member_client,
):
    # Another process ending the session changes only what processes share (the database
    # row); anything this process kept in its own memory (a per-process cache) would
    # still serve it, which this must not.
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    Session.objects.filter(session_key=_session_key(member_client)).delete()

    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_session_row_is_not_honoured(member_client):
    Session.objects.filter(session_key=_session_key(member_client)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_tampered_session_row_is_not_honoured(member_client):
    Session.objects.filter(session_key=_session_key(member_client)).update(
        session_data="not-a-signed-session"
    )
    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302


def test_a_page_reads_the_session_with_one_statement_and_writes_nothing(member_client):
    member_client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert member_client.get(reverse("home")).status_code == 200
    on_sessions = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(on_sessions) == 1
    assert on_sessions[0].lstrip().upper().startswith("SELECT")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_logged_in_page_answers_with_redis_down(client, world, redis_outage):
    client.force_login(world.admin)
    assert client.get(reverse(LEARNERS)).status_code == 200

    redis_outage.stop()
    assert not redis_outage.answers()

    response = client.get(reverse(LEARNERS))
    assert response.status_code == 200
    assert "Log out admin@example.test" in response.content.decode()
    # A log-out too (it deletes the session) and a new log-in.
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse(LEARNERS)).status_code == 302
    client.force_login(world.admin)
    assert client.get(reverse(LEARNERS)).status_code == 200
