"""Links in the invitation and "Forgotten password?" emails open HUB_SITE_URL, whatever Host
the request came with (behind a load balancer it is a node's address or an internal name)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from centres.models import Role

SITE = "https://hub.example.org"
INTERNAL_HOST = "web-2.internal:8000"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the outbox's task runs here: the test sees mail
    settings.HUB_SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = ["testserver", "web-2.internal"]


def _links(message) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", message.body)


def test_invitation_links_open_the_site_not_the_request_host(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
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
            headers={"host": INTERNAL_HOST},
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    links = _links(message)
    assert links and all(link.startswith(SITE + "/") for link in links), links
    assert any("/accounts/reset/" in link for link in links)
    assert INTERNAL_HOST not in message.body


def test_password_reset_link_opens_the_site_not_the_request_host(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": world.admin.email}, headers={"host": INTERNAL_HOST}
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    links = _links(message)
    assert links and all(link.startswith(SITE + "/") for link in links), links
    assert any("/accounts/reset/" in link for link in links)
    assert INTERNAL_HOST not in message.body
