"""Removing a selection (R-PAR-3)."""

from django.urls import reverse

from par.models import UnitSelection


def test_r_par_3_remove_then_back_to_the_page(member_client, world, registration, units):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    back = reverse("par:learner", args=[world.learner.pk])
    response = member_client.post(
        reverse("par:remove", args=[selection.pk]), {"next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert f"{units[0].code} removed" in response.content.decode()
    assert not UnitSelection.objects.filter(pk=selection.pk).exists()


def test_r_par_3_remove_refused_says_why(member_client, world, registration, units, lock_provider):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    lock_provider[selection.pk] = "in batch 4 (Centre Completing)"
    response = member_client.post(reverse("par:remove", args=[selection.pk]), follow=True)
    assert "cannot be removed: in batch 4 (Centre Completing)" in response.content.decode()
    assert UnitSelection.objects.filter(pk=selection.pk).exists()


def test_remove_with_htmx_returns_the_learners_units_only(
    member_client, world, registration, units
):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    response = member_client.post(
        reverse("par:remove", args=[selection.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<div id="units-{registration.pk}">')
    assert f'value="{registration.pk}:{units[0].pk}"' in body  # selectable again
    assert "<html" not in body


def test_remove_another_centres_selection_is_404(client, world, registration, units):
    selection = UnitSelection.objects.create(registration=registration, unit=units[0])
    client.force_login(world.outsider)
    assert client.post(reverse("par:remove", args=[selection.pk])).status_code == 404
    assert UnitSelection.objects.filter(pk=selection.pk).exists()
