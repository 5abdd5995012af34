"""/healthz: a load balancer's liveness probe answers "ok" without logging in."""

from django.urls import reverse


def test_healthz_answers_ok_to_anyone(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert client.post(reverse("healthz")).status_code == 405
