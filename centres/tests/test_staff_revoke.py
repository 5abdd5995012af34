"""Revoking a member's access (R-ACC-1, R-ACC-2): it ends at once, with guards."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from centres.models import AuditEvent
from centres.services import membership_revoke


@pytest.fixture
def director_client(client, world):
    client.force_login(world.director)
    return client


def revoke_url(membership) -> str:
    return reverse("centres:staff-revoke", args=[membership.pk])


def test_confirm_page_posts_to_revoke(director_client, world):
    admin = world.admin.memberships.get()
    response = director_client.get(reverse("centres:staff-revoke-confirm", args=[admin.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{revoke_url(admin)}"' in html
    assert 'method="post"' in html
    admin.refresh_from_db()
    assert admin.is_active


def test_revoked_member_loses_access_at_once(director_client, world):
    admin = world.admin.memberships.get()
    colleague = Client()
    colleague.force_login(world.admin)
    learners = reverse("centres:learner-list")
    assert colleague.get(learners).status_code == 200

    response = director_client.post(revoke_url(admin), follow=True)

    assert response.redirect_chain[-1][0] == reverse("centres:staff")
    html = response.content.decode()
    assert "no longer has access to Northgate College" in html
    assert "admin@example.test" not in html
    admin.refresh_from_db()
    assert not admin.is_active
    event = AuditEvent.objects.get(action="staff.revoke")
    assert event.actor == world.director and event.centre == world.centre
    # The same session, without logging in again: no section, no tiles.
    assert colleague.get(learners).status_code == 403
    home = colleague.get(reverse("home")).content.decode()
    assert "You have not been given access to any section yet" in home
    assert learners not in home


def test_director_cannot_revoke_themself(director_client, world):
    own = world.director.memberships.get()
    response = director_client.post(revoke_url(own), follow=True)
    assert "You cannot revoke your own access" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active
    assert not AuditEvent.objects.filter(action="staff.revoke").exists()


def test_last_director_cannot_be_revoked(world):
    """Even an awarding-body admin acting on the centre's behalf keeps one director."""
    own = world.director.memberships.get()
    with pytest.raises(ValidationError, match="last Programme Director"):
        membership_revoke(actor=world.staff, membership=own)
    own.refresh_from_db()
    assert own.is_active


def test_revoking_twice_is_refused_the_second_time(world):
    admin = world.admin.memberships.get()
    membership_revoke(actor=world.director, membership=admin)
    with pytest.raises(ValidationError, match="no longer a member"):
        membership_revoke(actor=world.director, membership=admin)
    assert AuditEvent.objects.filter(action="staff.revoke").count() == 1


def test_another_centres_membership_answers_404(director_client, world):
    """R-ACC-2."""
    theirs = world.outsider.memberships.get()
    assert director_client.post(revoke_url(theirs)).status_code == 404
    confirm = reverse("centres:staff-revoke-confirm", args=[theirs.pk])
    assert director_client.get(confirm).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_revoke_needs_post(director_client, world):
    admin = world.admin.memberships.get()
    assert director_client.get(revoke_url(admin)).status_code == 405
    admin.refresh_from_db()
    assert admin.is_active
