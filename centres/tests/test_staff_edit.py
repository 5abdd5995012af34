"""Editing a member's role and section grants (R-ACC-1, R-ACC-2)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from centres.models import AuditEvent, Role
from centres.services import membership_update


@pytest.fixture
def director_client(client, world):
    client.force_login(world.director)
    return client


def edit_url(membership) -> str:
    return reverse("centres:staff-edit", args=[membership.pk])


def test_form_shows_current_role_and_grants(director_client, world):
    tutor = world.tutor.memberships.get()
    response = director_client.get(edit_url(tutor))
    form = response.context["form"]
    assert response.status_code == 200
    assert form["role"].value() == Role.TUTOR
    assert list(form["sections"].value()) == ["par"]
    assert "tutor@example.test" in response.content.decode()


def test_edited_grants_change_the_members_home_grid(director_client, world):
    """R-ACC-1: the home grid follows the grants the director saves."""
    tutor = world.tutor.memberships.get()
    tutor_client = Client()
    tutor_client.force_login(world.tutor)
    learners = reverse("centres:learner-list")
    assert learners not in tutor_client.get(reverse("home")).content.decode()
    assert tutor_client.get(learners).status_code == 403

    response = director_client.post(
        edit_url(tutor),
        {"role": Role.CENTRE_ADMINISTRATOR, "sections": ["par", "learners"]},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("centres:staff")
    assert "Access for" in response.content.decode()
    tutor.refresh_from_db()
    assert tutor.role == Role.CENTRE_ADMINISTRATOR
    assert (tutor.can_par, tutor.can_learners, tutor.can_claims) == (True, True, False)
    assert learners in tutor_client.get(reverse("home")).content.decode()
    assert tutor_client.get(learners).status_code == 200
    event = AuditEvent.objects.get(action="staff.update")
    assert event.actor == world.director
    assert event.detail["before"] == {"role": Role.TUTOR, "sections": ["par"]}
    assert event.detail["after"] == {
        "role": Role.CENTRE_ADMINISTRATOR,
        "sections": ["par", "learners"],
    }


def test_removing_a_grant_removes_the_tile(director_client, world):
    admin = world.admin.memberships.get()
    director_client.post(edit_url(admin), {"role": admin.role, "sections": ["par"]})
    director_client.force_login(world.admin)
    home = director_client.get(reverse("home")).content.decode()
    assert reverse("centres:learner-list") not in home


@pytest.mark.parametrize(
    "data",
    [
        {"role": Role.TUTOR, "sections": ["par", "staff"]},
        {"role": Role.PROGRAMME_DIRECTOR, "sections": ["par"]},
    ],
    ids=["demoted", "staff-grant-removed"],
)
def test_last_director_cannot_be_demoted(director_client, world, data):
    own = world.director.memberships.get()
    response = director_client.post(edit_url(own), data)

    assert response.status_code == 200
    assert "is the last Programme Director with Staff access" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.PROGRAMME_DIRECTOR and own.can_staff and own.can_claims
    assert not AuditEvent.objects.filter(action="staff.update").exists()
    # The refused choice stays on the form for the director to correct.
    assert response.context["form"]["role"].value() == data["role"]


def test_director_may_step_down_once_another_director_has_staff_access(director_client, world):
    quality = world.quality.memberships.get()
    membership_update(
        actor=world.director,
        membership=quality,
        role=Role.PROGRAMME_DIRECTOR,
        sections=["staff"],
    )
    own = world.director.memberships.get()
    response = director_client.post(edit_url(own), {"role": Role.TUTOR, "sections": ["par"]})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.role == Role.TUTOR and not own.can_staff


def test_update_of_a_revoked_membership_is_refused(world):
    tutor = world.tutor.memberships.get()
    tutor.is_active = False
    tutor.save()
    with pytest.raises(ValidationError, match="no longer a member"):
        membership_update(actor=world.director, membership=tutor, role=Role.TUTOR, sections=[])


def test_another_centres_membership_answers_404(director_client, world):
    """R-ACC-2: a director of one centre cannot reach another centre's staff."""
    theirs = world.outsider.memberships.get()
    assert director_client.get(edit_url(theirs)).status_code == 404
    assert director_client.post(edit_url(theirs), {"role": Role.TUTOR}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.PROGRAMME_DIRECTOR


def test_revoked_membership_is_not_editable(director_client, world):
    tutor = world.tutor.memberships.get()
    tutor.is_active = False
    tutor.save()
    assert director_client.get(edit_url(tutor)).status_code == 404


def test_edit_answers_405_to_other_methods(director_client, world):
    assert director_client.delete(edit_url(world.tutor.memberships.get())).status_code == 405
