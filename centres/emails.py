"""Emails to centre staff, each rendered from a subject and a text template."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hub.emails import send_templated_email

from .models import Membership, User


def set_password_url(user, *, site_url: str) -> str:
    """The "Forgotten password?" confirm link for ``user``, valid for PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url.rstrip("/") + path


def send_staff_invitation(*, membership_pk: int, invited_by_pk: int | None, site_url: str) -> None:
    """Invite a new colleague: the link lets them choose their first password."""
    membership = Membership.objects.select_related("user", "centre").get(pk=membership_pk)
    send_templated_email(
        to=[membership.user.email],
        template="centres/email/staff_invitation",
        context={
            "membership": membership,
            "invited_by": _name_of(invited_by_pk),
            "set_password_url": set_password_url(membership.user, site_url=site_url),
            "login_url": site_url.rstrip("/") + reverse("login"),
        },
    )


def send_staff_access_granted(
    *, membership_pk: int, invited_by_pk: int | None, site_url: str
) -> None:
    """Tell someone who already has an account that a centre gave them access."""
    membership = Membership.objects.select_related("user", "centre").get(pk=membership_pk)
    send_templated_email(
        to=[membership.user.email],
        template="centres/email/staff_access_granted",
        context={
            "membership": membership,
            "invited_by": _name_of(invited_by_pk),
            "login_url": site_url.rstrip("/") + reverse("login"),
        },
    )


def _name_of(user_pk: int | None) -> str:
    user = User.objects.filter(pk=user_pk).first() if user_pk else None
    return str(user) if user else "Your centre's Programme Director"


def send_password_reset(*, user_pk: int, domain: str, site_name: str, protocol: str) -> None:
    """The "Forgotten password?" email, with a token made now (the outbox stores none)."""
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return  # disabled since it was asked for: nothing to send
    send_templated_email(
        to=[user.email],
        template="registration/password_reset",
        context={
            "email": user.email,
            "domain": domain,
            "site_name": site_name,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": protocol,
        },
    )
