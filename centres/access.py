"""The one way in to centre-scoped data (R-ACC-1, R-ACC-2).

The current centre is resolved once per request by CurrentCentreMiddleware. Views declare
the section they need with ``section_required`` and take every centre-scoped object through
the helpers here, so an object of another centre answers 404 and never leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .backends import MEMBERSHIPS_ATTR
from .models import BodyRole, Learner, Membership, Section


def resolve_membership(user) -> tuple[list[Membership], Membership | None]:
    """Return the user's active memberships and the one for their current centre."""
    if not user.is_authenticated:
        return [], None
    # Read with the user by the log-in backend (centres.backends), or else here.
    memberships = getattr(user, MEMBERSHIPS_ATTR, None)
    if memberships is None:
        memberships = list(Membership.objects.active().filter(user=user).select_related("centre"))
    current = next((m for m in memberships if m.centre_id == user.current_centre_id), None)
    if current is None and memberships:
        current = memberships[0]
    return memberships, current


def has_section(user, centre_id: int, section: Section) -> bool:
    """Whether ``user`` is an active member of centre ``centre_id`` granted ``section``.

    The rule ``section_required`` applies to a request's current membership, for services
    that are handed a user and an object rather than a request.
    """
    if user is None or not user.is_authenticated:
        return False
    membership = Membership.objects.active().filter(user_id=user.pk, centre_id=centre_id).first()
    return membership is not None and membership.grants(section)


def ensure_section(actor, centre_id: int, section: Section) -> None:
    """Refuse ``actor`` unless they are a member of the centre granted ``section`` (R-ACC-1)."""
    if not has_section(actor, centre_id, section):
        raise PermissionDenied(f"You have not been given access to {section.label} at this centre.")


def ensure_staff_manager(actor, centre_id: int) -> None:
    """Refuse ``actor`` unless they are the centre's Programme Director with the Staff grant,
    or an awarding-body administrator acting on the centre's behalf.

    The services' form of ``section_required(Section.STAFF)`` with ``programme_director_required``.
    """
    if actor is not None and actor.is_authenticated and actor.is_staff:
        return
    membership = (
        Membership.objects.active().filter(user_id=actor.pk, centre_id=centre_id).first()
        if actor is not None and actor.is_authenticated
        else None
    )
    if membership is None or not (
        membership.grants(Section.STAFF) and membership.is_programme_director
    ):
        raise PermissionDenied("Only the centre's Programme Director can do this.")


def section_required(section: Section) -> Callable:
    """Let the view run only for a member of the current centre granted ``section``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            membership = request.membership
            if membership is None or not membership.grants(section):
                raise PermissionDenied(f"You have not been given access to {section.label}.")
            return view(request, *args, **kwargs)

        wrapped.hub_section = section
        return wrapped

    return decorator


def programme_director_required(view):
    """Let the view run only for the Programme Director of the current centre."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        membership = request.membership
        if membership is None or not membership.is_programme_director:
            raise PermissionDenied("Only the centre's Programme Director can do this.")
        return view(request, *args, **kwargs)

    return wrapped


def body_role_required(*roles: BodyRole, allow_staff: bool = True) -> Callable:
    """Let the view run only for awarding-body users in one of ``roles`` (or admins)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not (user.body_role in roles or (allow_staff and user.is_staff)):
                raise PermissionDenied("This page is for the awarding body's staff.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def learners_for(request: HttpRequest) -> QuerySet[Learner]:
    """Learners of the request's current centre; nothing when there is none."""
    if request.centre is None:
        return Learner.objects.none()
    return Learner.objects.filter(centre=request.centre)


def get_learner_for_request(request: HttpRequest, pk: int) -> Learner:
    """The learner ``pk`` of the current centre, or 404."""
    return get_object_or_404(learners_for(request), pk=pk)


def staff_for(request: HttpRequest) -> QuerySet[Membership]:
    """Active memberships of the request's current centre, with their users."""
    if request.centre is None:
        return Membership.objects.none()
    return Membership.objects.active().filter(centre=request.centre).select_related("user")


def get_membership_for_request(request: HttpRequest, pk: int) -> Membership:
    """The active membership ``pk`` at the current centre, or 404 (R-ACC-2)."""
    return get_object_or_404(staff_for(request), pk=pk)
