"""Issue 12.5: ``next`` on PAR posts is followed only when it is a path on this site."""

import pytest
from django.urls import reverse

from par.models import UnitSelection


@pytest.mark.parametrize(
    "target",
    [
        "foo",
        "par:individual",
        "https://evil.example/",
        "//evil.example/par/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "",
    ],
)
def test_an_unsafe_next_falls_back_to_the_page_itself(
    member_client, world, registration, units, target
):
    response = member_client.post(
        reverse("par:add"), {"unit": [f"{registration.pk}:{units[0].pk}"], "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("par:individual")
    assert UnitSelection.objects.filter(registration=registration).count() == 1


def test_a_local_next_is_followed(member_client, world, registration, units):
    back = f"{reverse('par:individual')}?mode=name&q=ashw"
    response = member_client.post(
        reverse("par:add"), {"unit": [f"{registration.pk}:{units[0].pk}"], "next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize("target", ["foo", "https://evil.example/"])
def test_bulk_apply_and_remove_ignore_an_unsafe_next(
    member_client, world, registration, units, target
):
    response = member_client.post(
        reverse("par:bulk-apply"),
        {
            "qualification": world.qualification.pk,
            "units": [units[0].pk],
            "registration": [registration.pk],
            "next": target,
        },
    )
    assert response["Location"] == reverse("par:bulk")
    selection = UnitSelection.objects.get()
    response = member_client.post(reverse("par:remove", args=[selection.pk]), {"next": target})
    assert response["Location"] == reverse("par:learner", args=[world.learner.pk])
