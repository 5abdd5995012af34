"""The one way the hub sends email: a subject and a text template, with an HTML part.

The HTML part is the same text, escaped, in paragraphs, with its links clickable: mail
programs that prefer HTML show the links as links, and the words stay those of the one
text template each email has.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to: list[str], template: str, context: dict) -> None:
    """Render ``<template>_subject.txt`` and ``<template>.txt`` and send them to ``to``.

    Call it from an outbox handler (hub/outbox.py) or a background task, never in a request:
    a rolled-back change then sends no mail, a slow or refusing mail server never holds a
    lock or fails a user's action, and a refused message is tried again.
    """
    # A subject must be one line whatever the template's line breaks.
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, None, to)
    message.attach_alternative(
        render_to_string("hub/email/message.html", {"subject": subject, "body": body}),
        "text/html",
    )
    message.send()
