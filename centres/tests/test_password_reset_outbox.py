""" "Forgotten password?" sends no email inside the request (issue 10): with the mail server
refusing, the page still says "Check your email"; the email goes out, once, with a working
link when the server is back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hub import outbox
from hub.models import OutboxMessage


@pytest.fixture(autouse=True)
def _outbox_tasks_run_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_reset_request_succeeds_with_the_mail_server_down_and_the_link_follows(
    client, world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "hub.tests.mail_backends.RefusingBackend"
    settings.HUB_OUTBOX_RETRY_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": world.admin.email}, follow=True)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    message = OutboxMessage.objects.get(kind="centres.password_reset")
    assert message.done_at is None and "SMTPException" in message.last_error
    assert "token" not in message.payload  # the link is made when the email is sent
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.admin.email]
    link = re.search(r"https?://\S+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()


def test_unknown_address_queues_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.exists()
