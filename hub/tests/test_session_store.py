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
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.models import Session

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
    on_sessions = [q["sql"] for q in queries.captured_queries if "hub_session" in q["sql"]]
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


# --- The session, its user and their memberships in one statement (issue 9) ---------------


def _queries_of(client, url: str) -> list[str]:
    client.get(url)  # the session's first read done
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_the_session_its_user_and_their_memberships_are_one_statement(member_client, world):
    [statement] = _queries_of(member_client, reverse("favicon"))
    for table in ("hub_session", "centres_user", "centres_membership", "centres_centre"):
        assert table in statement
    request = member_client.get(reverse("home")).wsgi_request
    assert request.user == world.admin
    assert [m.centre for m in request.memberships] == [world.centre]


def test_the_session_row_names_the_user_its_data_is_logged_in_as(client, world):
    client.get(reverse("login"))
    client.force_login(world.admin)
    row = Session.objects.get(session_key=_session_key(client))
    assert row.user_id == world.admin.pk
    # A new log-in as someone else on the same browser: a new row, naming them.
    client.force_login(world.tutor)
    assert Session.objects.get(session_key=_session_key(client)).user_id == world.tutor.pk
    assert not Session.objects.filter(session_key=row.session_key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(user=world.tutor).exists()


def test_a_row_naming_another_user_than_its_data_does_not_change_who_is_logged_in(
    member_client, world
):
    # The column is only a way to read the user with the session: the session's own
    # (signed) data says who is logged in, and Django's auth checks their password hash.
    Session.objects.filter(session_key=_session_key(member_client)).update(user=world.tutor)
    queries = _queries_of(member_client, reverse("favicon"))
    request = member_client.get(reverse("home")).wsgi_request
    assert request.user == world.admin
    assert len(queries) == 2  # the admin read by their own statement


def test_deleting_a_user_ends_their_sessions(member_client, world):
    assert member_client.get(reverse(LEARNERS)).status_code == 200
    world.admin.delete()
    assert not Session.objects.exists()
    response = member_client.get(reverse(LEARNERS))
    assert response.status_code == 302


def test_the_user_read_with_a_session_is_never_handed_to_a_later_lookup(member_client, world):
    # The log-in backend takes the user read with the request's session only while Django's
    # auth loads that request's user; any other lookup reads the database afresh.
    from centres.backends import MembershipsBackend
    from centres.models import Membership

    assert member_client.get(reverse(LEARNERS)).status_code == 200
    Membership.objects.filter(user=world.admin).update(is_active=False)
    user = MembershipsBackend().get_user(world.admin.pk)
    assert user._active_memberships == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepared statements")
def test_the_statement_is_prepared_on_postgresql(member_client):
    # Its text is the same on every request, so the connection prepares it once (settings).
    for _ in range(3):
        _queries_of(member_client, reverse("favicon"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("hub_session" in statement for statement in prepared)


def test_the_upgrade_brings_live_sessions_over_with_their_user(client, world):
    """hub 0004 copies Django's session rows, so nobody is logged out by the upgrade."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session as DjangoSession

    def old_session(user_id, **data) -> str:
        store = DjangoStore()
        store.update({SESSION_KEY: user_id, **data})
        store.save()
        return store.session_key

    live = old_session(
        str(world.admin.pk),
        **{
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
            HASH_SESSION_KEY: world.admin.get_session_auth_hash(),
        },
    )
    of_nobody = old_session("999999")
    expired = old_session(str(world.tutor.pk))
    DjangoSession.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    import_module("hub.migrations.0004_session").copy_sessions(
        apps, SimpleNamespace(connection=connection)
    )

    assert Session.objects.get(session_key=live).user_id == world.admin.pk
    assert Session.objects.get(session_key=of_nobody).user_id is None
    assert not Session.objects.filter(session_key=expired).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = live
    assert client.get(reverse(LEARNERS)).status_code == 200


def test_beat_deletes_expired_sessions_from_both_tables_and_keeps_live_ones(member_client):
    """Django leaves expired rows to `clearsessions`; beat's session sweep removes them,
    from the hub's table and from Django's (where hub 0004 left its copies), under its lock."""
    from django.contrib.sessions.models import Session as DjangoSession

    from hub import tasks
    from hub.locks import held

    live = _session_key(member_client)
    past = timezone.now() - timedelta(minutes=1)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=past)
    DjangoSession.objects.create(session_key="y" * 32, session_data="", expire_date=past)
    DjangoSession.objects.create(
        session_key="z" * 32, session_data="", expire_date=past + timedelta(days=1)
    )
    with held("session-sweep", ttl=60) as acquired:
        assert acquired
        assert tasks.session_sweep.run() is None  # another beat's copy: skipped
    assert tasks.session_sweep.run() == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert list(DjangoSession.objects.values_list("session_key", flat=True)) == ["z" * 32]
    assert member_client.get(reverse("home")).status_code == 200


def test_a_decoded_session_is_a_new_dict_each_time_and_a_tampered_one_is_refused(member_client):
    """Session texts are checked and parsed once per process (SessionStore.decode): each read
    still gets its own data, and a text that is not validly signed is refused as before."""
    from hub.session_store import SessionStore

    store = SessionStore()
    text = Session.objects.get(session_key=_session_key(member_client)).session_data
    first = store.decode(text)
    first["changed"] = True
    second = store.decode(text)
    assert "changed" not in second and second == store.decode(text)
    assert second.get("_auth_user_id")
    assert store.decode(text[:-3] + "abc") == {}  # a forged signature


def test_a_new_secret_key_does_not_accept_sessions_signed_with_the_old_one(member_client, settings):
    from hub.session_store import SessionStore

    text = Session.objects.get(session_key=_session_key(member_client)).session_data
    assert SessionStore().decode(text)  # known to this process now
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert SessionStore().decode(text) == {}
