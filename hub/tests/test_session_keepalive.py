"""R-NEW-1: nothing is lost to a timeout; pages warn before an idle session ends."""

from django.urls import reverse
from django.utils import timezone


def test_keepalive_renews_the_session(member_client):
    session = member_client.session
    before = session.get_expiry_date()
    response = member_client.post(reverse("session-keepalive"))
    assert response.status_code == 204
    assert member_client.session.get_expiry_date() >= before
    assert member_client.session.get_expiry_date() > timezone.now()


def test_keepalive_for_a_logged_out_user_sends_them_to_log_in(client):
    response = client.post(reverse("session-keepalive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_carry_the_session_length_and_the_warning(member_client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    settings.HUB_SESSION_WARNING_SECONDS = 300
    body = member_client.get(reverse("home")).content.decode()
    assert 'data-session-seconds="3600"' in body
    assert 'data-session-warning-seconds="300"' in body
    assert "your session ends in about 5 minutes" in body
    assert "Stay logged in" in body


def test_anonymous_pages_have_no_session_warning(client):
    body = client.get(reverse("login")).content.decode()
    assert "data-session-seconds" not in body
    assert "Stay logged in" not in body
