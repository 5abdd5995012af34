"""Sessions last a working day idle but are not written on every request (issue 9, R-NEW-1)."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.models import Session
from hub.sessions import RENEWED_AT, SECONDS_LEFT_HEADER


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "hub_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def _age_session(client, seconds: int) -> None:
    """Pretend the session was last written ``seconds`` ago."""
    session = client.session
    session[RENEWED_AT] = int(time.time()) - seconds
    session.save()


def _expiry(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_a_fresh_session_is_not_written_by_a_page_view(member_client, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.HUB_SESSION_RENEW_SECONDS = 15 * 60
    before = _expiry(member_client)
    with CaptureQueriesContext(connection) as queries:
        response = member_client.get(reverse("home"))
    assert response.status_code == 200
    assert _session_writes(queries.captured_queries) == []
    assert _expiry(member_client) == before
    assert "sessionid" not in response.cookies  # nothing new for the browser either
    left = int(response[SECONDS_LEFT_HEADER])
    assert 8 * 3600 - 60 < left <= 8 * 3600


def test_a_session_past_half_its_life_is_renewed_to_a_full_working_day(member_client, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    _age_session(member_client, 5 * 3600)
    before = _expiry(member_client)
    body = member_client.get(reverse("home")).content.decode()
    # The row now ends a full working day from now, and the page's warning knows it.
    assert _expiry(member_client) > before
    session = member_client.session
    assert abs(session[RENEWED_AT] - time.time()) < 60
    assert 'data-session-seconds-left="28' in body  # 28,7xx of 28,800 seconds


def test_a_session_written_a_while_ago_is_renewed_once_the_interval_has_passed(
    member_client, settings
):
    settings.HUB_SESSION_RENEW_SECONDS = 600
    _age_session(member_client, 300)
    with CaptureQueriesContext(connection) as queries:
        member_client.get(reverse("home"))
    assert _session_writes(queries.captured_queries) == []
    _age_session(member_client, 601)
    with CaptureQueriesContext(connection) as queries:
        member_client.get(reverse("home"))
    assert len(_session_writes(queries.captured_queries)) == 1


def test_the_page_tells_the_warning_how_long_the_session_has_left(member_client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    settings.HUB_SESSION_RENEW_SECONDS = 1800
    _age_session(member_client, 1000)
    body = member_client.get(reverse("home")).content.decode()
    left = int(body.split('data-session-seconds-left="')[1].split('"')[0])
    assert 2590 <= left <= 2600  # not renewed yet: an hour less the 1,000 s gone
    assert 'data-session-seconds="3600"' in body


def test_keepalive_writes_a_full_lifetime_however_fresh(member_client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    _age_session(member_client, 100)
    response = member_client.post(reverse("session-keepalive"))
    assert response.status_code == 204
    assert int(response[SECONDS_LEFT_HEADER]) >= 3599


def test_logging_out_leaves_no_session_behind(member_client):
    member_client.post(reverse("logout"))
    assert Session.objects.count() == 0


def test_anonymous_pages_do_not_start_a_session(client, db):
    response = client.get(reverse("login"))
    assert SECONDS_LEFT_HEADER not in response
    assert Session.objects.count() == 0
