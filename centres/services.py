"""Writes to centre memberships: who may use which section (R-ACC-1).

Each checks its actor, runs in one transaction and writes an audit row. Emails are queued
in that transaction through the outbox (hub/outbox.py) and sent by a worker after the
commit, so nobody is told about access that was rolled back and no request waits on SMTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from hub import outbox

from .access import ensure_staff_manager
from .audit import audit
from .models import Centre, Membership, Role, Section, User


@dataclass(frozen=True)
class InviteOutcome:
    membership: Membership
    created_user: bool
    reactivated: bool
    # True when the email carries a link to choose a password (the person has none yet).
    password_link_sent: bool


def _apply_grants(membership: Membership, sections: Iterable[Section | str]) -> None:
    chosen = {Section(s) for s in sections}
    for section, field in Membership.GRANT_FIELDS.items():
        setattr(membership, field, section in chosen)


def _grant_values(membership: Membership) -> list[str]:
    return [s.value for s in membership.granted_sections]


def _keeps_a_director(centre: Centre, membership: Membership) -> bool:
    """Whether, with ``membership`` as it now stands in memory, a director can still manage staff.

    A centre must keep one active Programme Director with the Staff grant, or nobody could
    change anyone's access again. The rows are locked so two directors demoting each other at
    the same moment cannot both succeed.
    """
    directors = set(
        Membership.objects.select_for_update()
        .filter(centre=centre, is_active=True, role=Role.PROGRAMME_DIRECTOR, can_staff=True)
        .values_list("pk", flat=True)
    )
    directors.discard(membership.pk)
    qualifies = membership.is_active and membership.is_programme_director and membership.can_staff
    return bool(directors) or qualifies


def _lock_active(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update()
        .select_related("user", "centre")
        .filter(pk=membership.pk, is_active=True)
        .first()
    )
    if locked is None:
        raise ValidationError(f"{membership.user} is no longer a member of this centre.")
    return locked


@transaction.atomic
def membership_invite(
    *,
    actor: User,
    centre: Centre,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | str,
    sections: Iterable[Section | str],
    site_url: str,
) -> InviteOutcome:
    """Give a person access to ``centre``, creating their account when they have none.

    A new account gets an unusable password and an email with a link to choose one through
    the "Forgotten password?" pages. A revoked membership is re-activated, never duplicated.
    Raises ValidationError (keyed by field) when the person is already an active member.
    """
    ensure_staff_manager(actor, centre.pk)
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created_user = user is None
    if created_user:
        user = User.objects.create_user(
            email=email, password=None, first_name=first_name.strip(), last_name=last_name.strip()
        )
    elif not user.is_active:
        raise ValidationError(
            {"email": "This account has been disabled. Ask the awarding body to restore it."}
        )

    membership = Membership.objects.select_for_update().filter(user=user, centre=centre).first()
    reactivated = membership is not None
    if membership is not None and membership.is_active:
        raise ValidationError({"email": f"{user} is already a member of {centre.name}."})
    if membership is None:
        membership = Membership(user=user, centre=centre)
    membership.role = role
    membership.is_active = True
    _apply_grants(membership, sections)
    membership.save()

    audit(
        actor=actor,
        action="staff.invite",
        subject=f"{user.email} at {centre.number}",
        centre=centre,
        membership=membership.pk,
        role=membership.role,
        sections=_grant_values(membership),
        created_user=created_user,
        reactivated=reactivated,
    )

    # Someone who never chose a password (a new account, or an invitation never taken up)
    # needs the link; anyone else just logs in as usual.
    password_link_sent = not user.has_usable_password()
    outbox.enqueue(
        "centres.staff_invitation" if password_link_sent else "centres.staff_access_granted",
        membership_pk=membership.pk,
        invited_by_pk=actor.pk,
        site_url=site_url,
    )
    return InviteOutcome(membership, created_user, reactivated, password_link_sent)


@transaction.atomic
def membership_update(
    *, actor: User, membership: Membership, role: Role | str, sections: Iterable[Section | str]
) -> Membership:
    """Change a member's role and section grants (R-ACC-1).

    Refuses to leave the centre without an active Programme Director holding the Staff grant.
    """
    ensure_staff_manager(actor, membership.centre_id)
    locked = _lock_active(membership)
    before = {"role": locked.role, "sections": _grant_values(locked)}
    locked.role = role
    _apply_grants(locked, sections)
    if not _keeps_a_director(locked.centre, locked):
        raise ValidationError(
            f"{locked.user} is the last Programme Director with Staff access at "
            f"{locked.centre.name}. Give another member that role and the Staff grant first, "
            "or nobody could manage staff access."
        )
    locked.save(update_fields=["role", *Membership.GRANT_FIELDS.values()])
    after = {"role": locked.role, "sections": _grant_values(locked)}
    audit(
        actor=actor,
        action="staff.update",
        subject=f"{locked.user.email} at {locked.centre.number}",
        centre=locked.centre,
        membership=locked.pk,
        before=before,
        after=after,
    )
    return locked


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> Membership:
    """End a member's access to the centre at once; the row stays for the audit trail."""
    ensure_staff_manager(actor, membership.centre_id)
    locked = _lock_active(membership)
    if locked.user_id == actor.pk:
        raise ValidationError(
            "You cannot revoke your own access. Another Programme Director can do it."
        )
    locked.is_active = False
    if not _keeps_a_director(locked.centre, locked):
        raise ValidationError(
            f"{locked.user} is the last Programme Director with Staff access at "
            f"{locked.centre.name}. Give another member that role and the Staff grant first."
        )
    locked.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="staff.revoke",
        subject=f"{locked.user.email} at {locked.centre.number}",
        centre=locked.centre,
        membership=locked.pk,
        role=locked.role,
        sections=_grant_values(locked),
    )
    return locked
