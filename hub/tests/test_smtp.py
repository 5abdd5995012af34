"""Email for real: the hub sends over SMTP to an aiosmtpd server the test starts.

What arrived is read back from the server (testsupport/smtp.py): envelope recipients, the
subject, a text and an HTML part, and links that start with HUB_SITE_URL and open the right
page. With the server down, the user's action still succeeds and its email waits in the
outbox (hub/outbox.py); once the server is back the sweep delivers it, exactly once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from centres.models import Centre
from claims.models import ClaimStatus
from claims.services import claim_submit
from claims.tests.conftest import claim_with_lines, make_claim_world
from hub import tasks
from hub.models import OutboxMessage
from moderation import services as moderation_services
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch

pytestmark = pytest.mark.services
SITE = "https://hub.example.org/"
LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _site(settings):
    # The outbox's task runs in the test process once the change commits, as a worker would.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.HUB_SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["hub.example.org", "testserver"]


def links(text: str) -> list[str]:
    return LINK.findall(text)


def assert_opens(url: str, view_name: str, **kwargs) -> None:
    """``url`` is on the site and its path resolves to ``view_name`` with ``kwargs``."""
    assert url.startswith(SITE), url
    match = resolve(urlsplit(url).path)
    assert match.view_name == view_name
    if kwargs:
        assert match.kwargs == kwargs


def assert_html_matches_text(received) -> None:
    text, html = received.part("text/plain"), received.part("text/html")
    assert html.lstrip().lower().startswith("<!doctype html>")
    for url in links(text):
        # Each link of the text is a link in the HTML part (escaped as HTML needs).
        assert f'href="{url.replace("&", "&amp;")}"' in html


def submit_claim(world, django_capture_on_commit_callbacks):
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(
            actor=world.admin, claim=claim, contact_email="science@northgate.test", declared=True
        )
    claim.refresh_from_db()
    return claim


def test_a_submitted_claim_emails_the_assessor_over_smtp(
    world, smtp, settings, django_capture_on_commit_callbacks
):
    claim = submit_claim(world, django_capture_on_commit_callbacks)
    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.rcpt_tos == [world.assessor.email]
    assert received.message["To"] == world.assessor.email
    assert received.message["From"] == settings.DEFAULT_FROM_EMAIL
    assert claim.number in received.subject
    assert received.message.get_content_type() == "multipart/alternative"
    text = received.part("text/plain")
    assert f"has submitted claim {claim.number}" in text
    (url,) = links(text)
    assert_opens(url, "claims:assessor-claim", pk=claim.pk)
    assert_html_matches_text(received)
    assert claim.number in received.part("text/html")


def test_a_staff_invitation_arrives_with_a_working_set_password_link(
    client, world, smtp, django_capture_on_commit_callbacks
):
    client.force_login(world.director)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("centres:staff-invite"),
            {
                "email": "nia.okafor@example.test",
                "first_name": "Nia",
                "last_name": "Okafor",
                "role": "tutor",
                "sections": ["par", "learners"],
            },
            secure=True,
            headers={"host": "hub.example.org"},
        )
    assert response.status_code == 302
    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.rcpt_tos == ["nia.okafor@example.test"]
    assert world.centre.name in received.subject
    text = received.part("text/plain")
    set_password, login = links(text)
    assert_opens(set_password, "password_reset_confirm")
    assert_opens(login, "login")
    assert_html_matches_text(received)

    # The link in the email opens the set-password form for Nia, once logged out.
    client.logout()
    form = client.get(urlsplit(set_password).path, secure=True, follow=True)
    assert form.status_code == 200
    assert "new_password1" in form.content.decode()


def test_certificates_ready_reaches_the_centre_when_a_batch_is_complete(
    world, smtp, django_capture_on_commit_callbacks
):
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    # R-CRT-1: a centre taking digital certificates is sent them at once.
    Centre.objects.filter(pk=world.centre.pk).update(digital_certificates=True)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_services.batch_set_outcome(
            actor=world.moderator, batch=batch, outcome="complete", comments="All met."
        )
    ready = [r for r in smtp.received if "ertificate" in r.subject]
    assert len(ready) == 1
    received = ready[0]
    assert received.rcpt_tos == [world.centre.contact_email]  # the centre's generic address
    # The batch's certificates page, and (R-CRT-4) the public verify page beside it.
    urls = [u for u in links(received.part("text/plain")) if u.startswith(SITE)]
    batch_url = reverse("certificates:batch", kwargs={"batch_pk": batch.pk})
    (url,) = [u for u in urls if urlsplit(u).path == batch_url]
    assert_opens(url, "certificates:batch", batch_pk=batch.pk)
    assert_html_matches_text(received)


def test_with_the_mail_server_down_the_action_succeeds_and_the_mail_arrives_once_later(
    world, smtp, settings, django_capture_on_commit_callbacks
):
    # A failed delivery is due again at once, so the test need not wait out the back-off.
    settings.HUB_OUTBOX_RETRY_SECONDS = 0
    smtp.stop()
    claim = submit_claim(world, django_capture_on_commit_callbacks)

    assert claim.status == ClaimStatus.SUBMITTED  # the user's action went through
    assert smtp.received == []
    message = OutboxMessage.objects.get(kind="claims.email_submitted")
    assert message.done_at is None and message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error

    smtp.start()
    assert tasks.outbox_sweep() == 1  # beat's sweep, run as the worker runs it
    assert len(smtp.received) == 1
    assert smtp.received[0].rcpt_tos == [world.assessor.email]
    assert claim.number in smtp.received[0].subject
    message.refresh_from_db()
    assert message.done_at is not None

    # Again, and the delivery task redelivered: nothing more is sent.
    assert tasks.outbox_sweep() == 0
    assert tasks.outbox_deliver(message.pk) is False
    assert len(smtp.received) == 1
