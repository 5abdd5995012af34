"""Mail backends for tests: a mail server that refuses every message."""

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """As an SMTP server that is down or refuses us: every send raises."""

    def send_messages(self, email_messages):
        raise SMTPException("451 4.3.0 Mail server temporarily unavailable")
