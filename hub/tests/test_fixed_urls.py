"""Addresses reversed once per process (hub/fixed_urls.py) still follow the URLconf and prefix."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from hub.fixed_urls import fixed_url, fixed_url_or_none


def test_a_fixed_url_is_the_reversed_one():
    assert fixed_url("home") == reverse("home") == "/"
    assert fixed_url("logout") == reverse("logout")
    assert fixed_url_or_none("no-such-page") is None
    with pytest.raises(NoReverseMatch):
        fixed_url("no-such-page")


def test_a_fixed_url_follows_the_script_prefix():
    assert fixed_url("logout") == "/accounts/logout/"
    set_script_prefix("/hub/")
    try:
        assert fixed_url("logout") == "/hub/accounts/logout/"
    finally:
        set_script_prefix("/")
    assert fixed_url("logout") == "/accounts/logout/"


def test_a_fixed_url_follows_a_changed_urlconf():
    assert fixed_url_or_none("healthz") == "/healthz"
    with override_settings(ROOT_URLCONF="hub.tests.urls_without_probes"):
        assert fixed_url_or_none("healthz") is None
    assert fixed_url_or_none("healthz") == "/healthz"


def test_a_keyed_url_is_the_reversed_one():
    from hub.fixed_urls import keyed_url

    for key in (0, 7, 123456):
        assert keyed_url("claims:claim-detail", key) == reverse("claims:claim-detail", args=[key])
    set_script_prefix("/hub/")
    try:
        assert keyed_url("claims:claim-detail", 7) == "/hub/claims/7/"
    finally:
        set_script_prefix("/")
    # Anything but a non-negative integer is reverse()'s to refuse or accept.
    with pytest.raises(NoReverseMatch):
        keyed_url("claims:claim-detail", -1)
    assert keyed_url("claims:claim-detail", "12") == reverse("claims:claim-detail", args=["12"])
