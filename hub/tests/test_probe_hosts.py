"""Load balancers probe each node by its address: /healthz and /readyz answer whatever the Host.

Every other page still refuses a Host outside DJANGO_ALLOWED_HOSTS (400), and so do the
probes' own addresses for any method but GET and HEAD.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NODE_ADDRESS = "10.0.3.17:8000"  # what an AWS/GCP load balancer sends as Host


@pytest.fixture(autouse=True)
def _one_allowed_host(settings):
    settings.ALLOWED_HOSTS = ["hub.example.org"]


@pytest.mark.parametrize(("name", "body"), [("healthz", b"ok"), ("readyz", b"ready")])
def test_probes_answer_a_host_that_is_not_allowed(client, name, body):
    for method in (client.get, client.head):
        response = method(reverse(name), headers={"host": NODE_ADDRESS})
        assert response.status_code == 200, (method, response.status_code)
    response = client.get(reverse(name), headers={"host": NODE_ADDRESS})
    assert response.content == body
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response and not response.cookies


@pytest.mark.parametrize("name", ["healthz", "readyz"])
def test_probes_answer_the_allowed_host_as_before(client, name):
    assert client.get(reverse(name), headers={"host": "hub.example.org"}).status_code == 200


def test_every_other_page_still_refuses_the_host(client, world):
    assert client.get(reverse("login"), headers={"host": NODE_ADDRESS}).status_code == 400
    assert client.get("/healthz/", headers={"host": NODE_ADDRESS}).status_code == 400
    client.force_login(world.admin)
    assert client.get(reverse("home"), headers={"host": NODE_ADDRESS}).status_code == 400
    # Only a probe's GET or HEAD is answered early; a POST goes through the host check.
    assert client.post(reverse("healthz"), headers={"host": NODE_ADDRESS}).status_code == 400


def test_probes_unready_still_name_only_the_part(client, settings, tmp_path):
    # Storage on a folder that cannot be made: the same 503 as with an allowed host.
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get(reverse("readyz"), headers={"host": NODE_ADDRESS})
    assert response.status_code == 503
    assert response.content == b"not ready: storage"
