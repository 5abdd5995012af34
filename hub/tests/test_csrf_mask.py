"""hub.csrf: the page's CSRF token masked from one OS draw, still Django's to check."""

import re

from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from hub.csrf import mask

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def test_a_masked_token_unmasks_to_its_secret_and_differs_each_time():
    secret = "a" * 16 + "Z9" * 8
    tokens = {mask(secret) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) == 64
        assert _unmask_cipher_token(token) == secret


def test_the_token_a_page_prints_is_accepted_on_post(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    page = client.get(reverse("home"))
    token = TOKEN.search(page.content.decode()).group(1)
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert _unmask_cipher_token(token) == secret
    again = TOKEN.search(client.get(reverse("home")).content.decode()).group(1)
    assert again != token  # masked afresh on every response (BREACH)

    refused = client.post(reverse("session-keepalive"), {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    accepted = client.post(reverse("session-keepalive"), {"csrfmiddlewaretoken": token})
    assert accepted.status_code == 204


def test_a_first_page_sets_the_cookie_its_token_belongs_to(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = TOKEN.search(page.content.decode()).group(1)
    assert _unmask_cipher_token(token) == client.cookies[settings.CSRF_COOKIE_NAME].value
