"""The client address behind N reverse proxies: lockout and rate limits see the real client.

Each proxy appends the address it received from to X-Forwarded-For, so behind N proxies the
client is the Nth entry from the right; anything further left was written by the client.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from centres.tests.factories import PASSWORD
from certificates.tests.factories import issued_certificate
from hub.client_ip import axes_client_ip, client_ip

PROXY = "10.0.0.2"  # the proxy nearest the app: what REMOTE_ADDR shows behind it
CLIENT = "203.0.113.7"
NEIGHBOUR = "198.51.100.9"


def resolved(forwarded: str | None, remote: str = PROXY) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # No proxy: the header is the client's own words and is ignored.
        (0, f"{NEIGHBOUR}", PROXY),
        (0, None, PROXY),
        # One proxy appended the client.
        (1, CLIENT, CLIENT),
        (1, f"{NEIGHBOUR}, {CLIENT}", CLIENT),
        (1, f"1.1.1.1, {NEIGHBOUR},{CLIENT}", CLIENT),
        # Two proxies: the outer appended the client, the inner appended the outer.
        (2, f"{CLIENT}, 10.0.0.1", CLIENT),
        (2, f"{NEIGHBOUR}, {CLIENT}, 10.0.0.1", CLIENT),
        (1, "2001:db8::7", "2001:db8::7"),
        # A request that skipped the proxies, or a garbled entry: the connection's address.
        (2, CLIENT, PROXY),
        (1, None, PROXY),
        (1, "not-an-address", PROXY),
        (1, f"{CLIENT}, ", CLIENT),
    ],
)
def test_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.HUB_PROXY_COUNT = count
    assert resolved(forwarded) == expected


def test_forged_entries_on_the_left_never_change_the_address(settings):
    settings.HUB_PROXY_COUNT = 1
    honest = resolved(CLIENT)
    forged = {resolved(f"{fake}, {CLIENT}") for fake in ("127.0.0.1", NEIGHBOUR, "10.0.0.2, ::1")}
    assert forged == {honest} == {CLIENT}


def test_resolved_once_per_request(settings):
    settings.HUB_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert client_ip(request) == CLIENT
    request.META["HTTP_X_FORWARDED_FOR"] = NEIGHBOUR
    assert client_ip(request) == CLIENT


def test_axes_uses_it():
    assert settings.AXES_CLIENT_IP_CALLABLE == "hub.client_ip.axes_client_ip"


def test_axes_gets_none_for_no_address():
    """Axes stores the address as an IP; PostgreSQL refuses the word "unknown"."""
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert axes_client_ip(request) is None
    assert axes_client_ip(RequestFactory().get("/", REMOTE_ADDR=CLIENT)) == CLIENT


def login(client, email: str, password: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_a_proxy_an_attacker_cannot_lock_out_someone_elses_address(client, world, settings):
    """Five bad passwords lock the attacker's own address, not the account everywhere."""
    settings.HUB_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The attacker even claims to be the neighbour: the proxy's entry is what counts.
        login(client, world.admin.email, "wrong-password", f"{NEIGHBOUR}, {CLIENT}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    assert login(client, world.admin.email, PASSWORD, CLIENT).status_code == 429
    # The real owner of the account, behind the same proxy from another address, gets in.
    response = login(client, world.admin.email, PASSWORD, NEIGHBOUR)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_without_a_proxy_count_the_header_is_ignored_by_the_lockout(client, world, settings):
    settings.HUB_PROXY_COUNT = 0
    for index in range(settings.AXES_FAILURE_LIMIT):
        login(client, world.admin.email, "wrong-password", f"192.0.2.{index}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    assert login(client, world.admin.email, PASSWORD, "192.0.2.200").status_code == 429


def test_the_verify_limit_is_per_forwarded_client(client, world, settings):
    """Behind a proxy the 10-a-minute limit applied to every visitor together (issue 12.8)."""
    from django.core.cache import cache

    cache.clear()
    settings.HUB_PROXY_COUNT = 1
    settings.HUB_VERIFY_ATTEMPTS_PER_MINUTE = 2
    certificate = issued_certificate(world)
    url = reverse("certificates:verify")
    right = {"number": certificate.number, "code": certificate.verification_code}

    def verify(forwarded):
        return client.post(url, right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert [verify(f"{fake}, {CLIENT}").status_code for fake in ("1.1.1.1", "2.2.2.2")] == [
        200,
        200,
    ]
    # A new forged left-hand entry does not buy the same client more attempts.
    assert verify(f"3.3.3.3, {CLIENT}").status_code == 429
    other = verify(NEIGHBOUR)
    assert other.status_code == 200
    assert certificate.learner.full_name in other.content.decode()
    cache.clear()
