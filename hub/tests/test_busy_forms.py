"""Issue 14: every upload and long action is a form marked ``data-busy``: once sent it shows
it is working and cannot be sent twice, and an upload shows its progress (static/hub/hub.js;
seen in Chromium in moderation/tests/browser/test_keep_files_and_busy.py)."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from claims.tests.conftest import claim_with_lines, make_claim_world
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({**attrs, "files": False})
        elif tag == "input" and attrs.get("type") == "file" and self.forms:
            self.forms[-1]["files"] = True


def forms_on(client: Client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Forms()
    parser.feed(response.content.decode())
    return [f for f in parser.forms if f.get("method", "get").lower() == "post"]


def _busy(forms: list[dict], action: str | None = None, *, files: bool = False) -> bool:
    # action "" is a form posting to its own page (no action attribute).
    chosen = [f for f in forms if (action is None or f.get("action", "") == action)]
    if files:
        chosen = [f for f in chosen if f["files"]]
    assert chosen, f"no such form ({action})"
    return all("data-busy" in f for f in chosen)


@pytest.fixture
def as_user():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def test_every_upload_form_is_busy_aware(as_user, world):
    draft = make_batch(world, BatchStatus.DRAFT, documents=False, selections=[])
    review = make_batch(world, BatchStatus.WITH_MODERATOR, moderator=world.moderator)
    admin = as_user(world.admin)
    assert _busy(
        forms_on(admin, reverse("moderation:batch-documents", args=[draft.pk])), files=True
    )
    moderator = as_user(world.moderator)
    assert _busy(forms_on(moderator, reverse("moderation:review", args=[review.pk])), files=True)
    data = as_user(world.data)
    assert _busy(forms_on(data, reverse("centres:learner-import")), files=True)


def test_every_long_action_is_busy_aware(as_user, world):
    cw = make_claim_world(world)
    claim = claim_with_lines(cw)
    unit = world.qualification.units.order_by("code").first()
    returned = make_batch(world, BatchStatus.RETURNED, selections=[])
    admin = as_user(world.admin)
    individual = forms_on(admin, reverse("par:individual") + "?mode=all")
    assert _busy(individual, reverse("par:add"))  # Add all selected units.
    bulk = forms_on(
        admin,
        reverse("par:bulk") + f"?qualification={world.qualification.pk}&units={unit.pk}&list=1",
    )
    assert _busy(bulk, reverse("par:bulk-apply"))  # Proceed with Bulk unit update
    detail = forms_on(admin, reverse("moderation:batch-detail", args=[returned.pk]))
    assert _busy(detail, reverse("moderation:batch-resubmit", args=[returned.pk]))
    check = forms_on(admin, reverse("claims:claim-check", args=[claim.pk]))
    assert _busy(check, reverse("claims:claim-submit", args=[claim.pk]))
    assert _busy(forms_on(admin, reverse("moderation:batch-add")), "")  # Click Here
    grid = forms_on(admin, reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))
    assert _busy(grid, reverse("claims:unit-edit", args=[claim.pk, cw.units[0].pk]))  # Save claim
