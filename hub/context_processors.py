from django.conf import settings

from .sessions import seconds_left


def session_expiry(request):
    """How long an idle session lasts and when pages warn before it ends (R-NEW-1)."""
    warning = min(settings.HUB_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE)
    session = getattr(request, "session", None)
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        # Sessions are not renewed on every request (hub.sessions): what this one has left.
        "session_seconds_left": (
            seconds_left(session) if session is not None else settings.SESSION_COOKIE_AGE
        ),
        "session_warning_seconds": warning,
        "session_warning_minutes": max(1, round(warning / 60)),
    }
