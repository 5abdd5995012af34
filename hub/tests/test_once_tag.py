"""``{% once %}``: the base layout's fixed head markup, rendered once per process."""

from django.template import Context, Template
from django.test import override_settings


def test_once_renders_its_content_once_and_again_when_settings_change():
    template = Template("{% load hub_links %}{% once %}[{{ value }}]{% endonce %}")
    assert template.render(Context({"value": "first"})) == "[first]"
    # The same text after: only markup that depends on settings belongs in it.
    assert template.render(Context({"value": "second"})) == "[first]"
    with override_settings(STATIC_URL="/elsewhere/"):
        assert template.render(Context({"value": "third"})) == "[third]"


def test_head_links_follow_the_static_storage(client, db):
    with override_settings(STATIC_URL="/assets-a/"):
        first = client.get("/accounts/login/").content.decode()
    with override_settings(STATIC_URL="/assets-b/"):
        second = client.get("/accounts/login/").content.decode()
    assert '<link rel="stylesheet" href="/assets-a/' in first
    assert '<link rel="stylesheet" href="/assets-b/' in second
