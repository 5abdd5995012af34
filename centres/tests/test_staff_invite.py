"""Inviting a colleague to the centre (R-ACC-1): new accounts, existing ones, duplicates."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from centres.models import AuditEvent, Membership, Role, User
from centres.tests.factories import MembershipFactory, UserFactory

NEW_PASSWORD = "Tangerine-Orbit-4471"


@pytest.fixture(autouse=True)
def _outbox_tasks_run_in_process(settings):
    # The invitation email is sent by the outbox's Celery task once the invite commits;
    # here that task runs in the test process, so a test sees the mail.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def director_client(client, world):
    client.force_login(world.director)
    return client


def invite(client, **overrides):
    data = {
        "email": "nia.okafor@example.test",
        "first_name": "Nia",
        "last_name": "Okafor",
        "role": Role.TUTOR,
        "sections": ["par", "learners"],
    }
    data.update(overrides)
    return client.post(reverse("centres:staff-invite"), data, follow=True)


def test_invite_new_person_creates_account_and_emails_a_set_password_link(
    director_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """The link is the "Forgotten password?" confirm page; the colleague then logs in."""
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(director_client)

    assert response.redirect_chain[-1][0] == reverse("centres:staff")
    assert "Invitation sent to nia.okafor@example.test" in response.content.decode()
    user = User.objects.get(email="nia.okafor@example.test")
    assert (user.first_name, user.last_name) == ("Nia", "Okafor")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, centre=world.centre)
    assert membership.is_active and membership.role == Role.TUTOR
    assert membership.can_par and membership.can_learners
    assert not (membership.can_moderation or membership.can_claims or membership.can_staff)
    event = AuditEvent.objects.get(action="staff.invite")
    assert event.actor == world.director and event.centre == world.centre
    assert event.detail["created_user"] is True
    assert event.detail["sections"] == ["par", "learners"]

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nia.okafor@example.test"]
    assert world.centre.name in mail.subject
    site = re.escape(settings.HUB_SITE_URL.rstrip("/"))  # the site's address, not the Host
    link = re.search(site + r"(/accounts/reset/\S+)", mail.body).group(1)

    colleague = Client()
    response = colleague.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]
    set_password_url = response.redirect_chain[-1][0]
    response = colleague.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    response = colleague.post(
        reverse("login"),
        {"username": "nia.okafor@example.test", "password": NEW_PASSWORD},
        follow=True,
    )
    assert response.context["user"] == user
    # R-ACC-1: the new colleague's home grid offers what they were granted, nothing more.
    assert reverse("centres:learner-list") in response.content.decode()
    assert reverse("centres:staff") not in response.content.decode()

    # The link works once.
    assert Client().get(link, follow=True).context["validlink"] is False


def test_invite_existing_account_adds_membership_and_says_so(
    director_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone with a login elsewhere keeps it; only a membership here is added."""
    elsewhere = MembershipFactory(
        user=UserFactory(email="sam.idris@example.test", first_name="Sam", last_name="Idris"),
        centre=world.other_centre,
    ).user
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            director_client,
            email="Sam.Idris@Example.test",
            first_name="Typed",
            last_name="Differently",
            role=Role.QUALITY_MANAGER,
            sections=["moderation"],
        )

    assert "Sam Idris now has access to Northgate College" in response.content.decode()
    assert User.objects.count() == users_before
    elsewhere.refresh_from_db()
    assert (elsewhere.first_name, elsewhere.last_name) == ("Sam", "Idris")
    assert elsewhere.has_usable_password()
    membership = Membership.objects.get(user=elsewhere, centre=world.centre)
    assert membership.role == Role.QUALITY_MANAGER and membership.can_moderation
    assert len(mailoutbox) == 1
    assert "You now have access to Northgate College" in mailoutbox[0].subject
    assert "/accounts/reset/" not in mailoutbox[0].body
    assert AuditEvent.objects.get(action="staff.invite").detail["created_user"] is False


@pytest.mark.parametrize("email", ["admin@example.test", "ADMIN@example.test"])
def test_invite_of_an_active_member_is_refused_and_nothing_saved(
    director_client, world, mailoutbox, django_capture_on_commit_callbacks, email
):
    membership = world.admin.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(director_client, email=email, role=Role.TUTOR, sections=["staff"])

    assert response.status_code == 200
    assert response.redirect_chain == []
    assert "is already a member of Northgate College" in response.content.decode()
    # What was typed stays in the form.
    assert 'value="Okafor"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.CENTRE_ADMINISTRATOR and not membership.can_staff
    assert Membership.objects.filter(user=world.admin).count() == 1
    assert not AuditEvent.objects.filter(action="staff.invite").exists()
    assert mailoutbox == []


def test_invite_of_a_revoked_member_reactivates_the_same_membership(
    director_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    revoked = world.admin.memberships.get()
    revoked.is_active = False
    revoked.save()

    with django_capture_on_commit_callbacks(execute=True):
        invite(director_client, email="admin@example.test", role=Role.TUTOR, sections=["claims"])

    assert Membership.objects.filter(user=world.admin, centre=world.centre).count() == 1
    revoked.refresh_from_db()
    assert revoked.is_active and revoked.role == Role.TUTOR
    assert revoked.can_claims and not revoked.can_par
    assert AuditEvent.objects.get(action="staff.invite").detail["reactivated"] is True
    assert "/accounts/reset/" not in mailoutbox[0].body


def test_reinviting_someone_who_never_set_a_password_sends_a_fresh_link(
    director_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """An expired invitation is renewed by revoking and inviting again."""
    pending = MembershipFactory(
        user=User.objects.create_user(email="late@example.test"),
        centre=world.centre,
        is_active=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        invite(director_client, email="late@example.test")
    pending.refresh_from_db()
    assert pending.is_active
    assert "/accounts/reset/" in mailoutbox[0].body


def test_invalid_invitation_keeps_what_was_typed(director_client, world, mailoutbox):
    response = invite(director_client, email="not-an-email", sections=["par", "claims"])

    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    html = response.content.decode()
    assert 'value="not-an-email"' in html
    assert 'value="Nia"' in html
    assert re.search(r'value="claims"[^>]*checked', html)
    assert not User.objects.filter(first_name="Nia").exists()
    assert mailoutbox == []


def test_invite_page_shows_the_form(director_client):
    response = director_client.get(reverse("centres:staff-invite"))
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Email address", "First name", "Surname", "Role", "Sections"):
        assert label in html
    assert "Send invitation" in html


def test_invite_answers_405_to_other_methods(director_client):
    assert director_client.put(reverse("centres:staff-invite")).status_code == 405
