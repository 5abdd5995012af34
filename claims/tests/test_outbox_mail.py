"""No claim email is sent inside a request (issue 10): with the mail server refusing, the
centre's submission still succeeds; the email waits in the outbox and goes out, once, when
the server is back."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from claims.models import ClaimStatus
from hub import outbox
from hub.models import OutboxMessage

from .conftest import claim_with_lines

REFUSING = "hub.tests.mail_backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def test_submit_succeeds_with_the_mail_server_down_and_the_mail_goes_out_once_it_is_back(
    cw, member_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = REFUSING
    settings.HUB_OUTBOX_RETRY_SECONDS = 0  # due again at once, so the sweep below may retry
    claim = claim_with_lines(cw)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("claims:claim-submit", args=[claim.pk]),
            {"contact_email": "science@northgate.test", "declaration": "on", "confirmed": "yes"},
            follow=True,
        )

    # The user's action succeeded and says so; the mail server's refusal is the outbox's.
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert f"Claim {claim.number} has been submitted" in response.content.decode()
    assert mail.outbox == []
    message = OutboxMessage.objects.get(kind="claims.email_submitted")
    assert message.payload == {"claim_pk": claim.pk}
    assert message.done_at is None and message.attempts == 1
    assert "SMTPException" in message.last_error

    # Still down: the sweep tries again and the row stays pending.
    assert outbox.sweep() == 0
    message.refresh_from_db()
    assert message.done_at is None and message.attempts == 2

    # The server is back: the next sweep sends it, and no later sweep sends it again.
    settings.EMAIL_BACKEND = LOCMEM
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cw.world.assessor.email]
    assert claim.number in mail.outbox[0].subject
    message.refresh_from_db()
    assert message.done_at is not None


def test_finalise_queues_the_centres_email_and_the_processing_with_the_change(
    cw, django_capture_on_commit_callbacks, settings
):
    from claims import services

    from .conftest import sampled_claim

    settings.EMAIL_BACKEND = REFUSING
    claim = sampled_claim(cw)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_finalise(actor=cw.world.assessor, claim=claim, outcomes={})
    # The mail failed; processing, its own message, still ran.
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    queued = dict(OutboxMessage.objects.values_list("kind", "done_at"))
    assert queued["claims.email_finalised"] is None
    assert queued["claims.process"] is not None
