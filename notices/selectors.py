"""Reading notices: a user only ever sees their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from centres.models import User

from .models import Notice

HOME_NOTICES = 10


def notices_for(user: User) -> QuerySet[Notice]:
    """The notices sent to ``user``, newest first."""
    return Notice.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def get_notice_for_user(user: User, pk: int) -> Notice:
    """Notice ``pk`` if it was sent to ``user``, or 404."""
    return get_object_or_404(notices_for(user), pk=pk)


def latest_notices(user: User, *, limit: int = HOME_NOTICES) -> tuple[list[Notice], int]:
    """The newest ``limit`` notices for Home, and how many of the user's are unread."""
    latest = list(notices_for(user).only("subject", "link", "created_at", "read_at")[:limit])
    unread = notices_for(user).filter(read_at__isnull=True).count() if latest else 0
    return latest, unread
