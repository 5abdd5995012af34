"""The outbox handler that emails one notice: its stored words, in text and HTML."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notice


def send_notice_email(*, notice_id: int) -> None:
    """Email notice ``notice_id`` to its address, once.

    Safe to run again (the outbox delivers at least once): a notice already emailed is left
    alone. The words are those stored with the notice, so the email says what the hub lists.
    """
    notice = Notice.objects.filter(pk=notice_id, emailed_at__isnull=True).first()
    if notice is None or not notice.email:
        return
    context = {"notice": notice, "url": notice.absolute_link}
    message = EmailMultiAlternatives(
        notice.subject,
        render_to_string("notices/email/notice.txt", context),
        None,
        [notice.email],
    )
    message.attach_alternative(render_to_string("notices/email/notice.html", context), "text/html")
    message.send()
    Notice.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
