"""A real SMTP server for tests: aiosmtpd in a thread of the test process, on a loopback port.

``smtp_server`` starts it once per session on a free port and keeps it for the session;
``smtp`` points the hub's EMAIL_BACKEND at it (Django's SMTP backend, as production uses)
and empties its inbox. A test may ``stop()`` the server to see what the hub does while mail
is down, then ``start()`` it again on the same port; it is running again after every test.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest


@dataclass
class Received:
    """One message as the server took it: the SMTP envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def part(self, content_type: str) -> str:
        """The body of the ``text/plain`` or ``text/html`` part, decoded."""
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None and body.get_content_type() == content_type, (
            f"no {content_type} part in {self.message.get_content_type()}"
        )
        return body.get_content()


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        with socket.socket() as probe:  # a free port, kept across stop() and start()
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(self.inbox, hostname=self.host, port=self.port)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        """Close the server: connections to its port are refused until ``start()``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.inbox.received


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, settings) -> SMTPServer:
    """The SMTP server, empty and running, with the hub sending to it over SMTP."""
    smtp_server.start()
    smtp_server.received.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield smtp_server
    smtp_server.start()
