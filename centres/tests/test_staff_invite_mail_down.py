"""No invitation email is sent inside the request (issue 10): with the mail server
refusing, the invitation is still saved and confirmed; the email goes out, once, when the
server is back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from centres.models import Membership, Role
from hub import outbox
from hub.models import OutboxMessage


@pytest.fixture(autouse=True)
def _outbox_tasks_run_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_invite_succeeds_with_the_mail_server_down_and_the_email_follows(
    client, world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "hub.tests.mail_backends.RefusingBackend"
    settings.HUB_OUTBOX_RETRY_SECONDS = 0
    client.force_login(world.director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("centres:staff-invite"),
            {
                "email": "nia.okafor@example.test",
                "first_name": "Nia",
                "last_name": "Okafor",
                "role": Role.TUTOR,
                "sections": ["par"],
            },
            follow=True,
        )
    assert response.status_code == 200
    assert Membership.objects.filter(
        user__email="nia.okafor@example.test", centre=world.centre, is_active=True
    ).exists()
    message = OutboxMessage.objects.get(kind="centres.staff_invitation")
    assert message.done_at is None and "SMTPException" in message.last_error
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nia.okafor@example.test"]
    assert "/accounts/reset/" in mailoutbox[0].body
