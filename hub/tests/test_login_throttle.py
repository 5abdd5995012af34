"""django-axes on the real login form: repeated wrong passwords lock that email out."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from centres.tests.factories import PASSWORD

LOCKED = "Too many failed log-in attempts"
ADDRESS = "203.0.113.7"


def attempt(client, email: str, password: str, address: str = ADDRESS):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def locked_out(client, world):
    """Fail the limit's worth of attempts for the admin's email from ADDRESS."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, world.admin.email, "wrong-password")
    return world.admin


def test_wrong_passwords_below_the_limit_show_the_form_again(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, world.admin.email, "wrong-password")
        assert response.status_code == 200
        assert "correct email address and password" in response.content.decode()

    response = attempt(client, world.admin.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_right_password_after_the_limit_is_refused(client, locked_out):
    response = attempt(client, locked_out.email, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not logged_in(client)
    # The locked-out page offers the way back in.
    assert reverse("password_reset") in response.content.decode()


def test_the_lockout_is_for_that_email_from_that_address(client, world, locked_out):
    """AXES_LOCKOUT_PARAMETERS pairs email and address: neither alone is locked."""
    elsewhere = attempt(client, locked_out.email, PASSWORD, address="198.51.100.9")
    assert elsewhere.status_code == 302
    assert logged_in(client)

    client.logout()
    colleague = attempt(client, world.tutor.email, PASSWORD)
    assert colleague.status_code == 302
    assert logged_in(client)


def test_the_failures_are_recorded_against_the_email(locked_out):
    """Without AXES_USERNAME_FORM_FIELD the attempts were stored with no email at all."""
    attempt = AccessAttempt.objects.get()
    assert attempt.username == locked_out.email
    assert attempt.ip_address == ADDRESS


def test_the_lockout_ends_after_the_cool_off(client, locked_out):
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    response = attempt(client, locked_out.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)
