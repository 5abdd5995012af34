from django.conf import settings


def session_expiry(request):
    """How long an idle session lasts and when pages warn before it ends (R-NEW-1)."""
    warning = min(settings.HUB_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE)
    return {
        "session_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": warning,
        "session_warning_minutes": max(1, round(warning / 60)),
    }
