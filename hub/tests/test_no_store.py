"""Cache-Control: no-store on every authenticated page and private download (issue 12.11)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from certificates.tests.factories import issued_certificate
from hub.middleware import NoStoreMiddleware


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "url",
    [reverse("home"), reverse("moderation:index"), "/no-such-page/"],
    ids=["home", "moderation", "not found"],
)
def test_authenticated_pages_are_never_stored(member_client, url):
    response = member_client.get(url)
    assert no_store(response)


def test_a_refused_page_is_never_stored_either(client, world):
    client.force_login(world.tutor)  # PAR only
    response = client.get(reverse("moderation:index"))
    assert response.status_code == 403
    assert no_store(response)


def test_a_certificate_download_is_never_stored(member_client, world):
    certificate = issued_certificate(world)
    response = member_client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert no_store(response)


def test_public_pages_for_visitors_may_be_cached(client, db):
    response = client.get(reverse("certificates:verify"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_static_files_keep_their_own_caching(member_client):
    response = member_client.get("/static/hub/hub.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


def _through_middleware(response: HttpResponse, user=None) -> HttpResponse:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return NoStoreMiddleware(lambda _request: response)(request)


def test_an_attachment_is_private_whoever_asks():
    attachment = HttpResponse(b"a,b\n", content_type="text/csv")
    attachment["Content-Disposition"] = 'attachment; filename="export.csv"'
    assert no_store(_through_middleware(attachment))


def test_a_view_that_chose_its_own_cache_control_keeps_it(world):
    response = HttpResponse("ok")
    response["Cache-Control"] = "max-age=60"
    assert _through_middleware(response, world.admin)["Cache-Control"] == "max-age=60"
