"""Sessions that last a working day idle, written only when they need renewing.

Writing the session row on every request (SESSION_SAVE_EVERY_REQUEST) made every page view
an UPDATE on django_session. Here a session carries the time it was last written; a request
renews it (one write, expiry pushed to a full HUB_SESSION_SECONDS) only once
HUB_SESSION_RENEW_SECONDS have passed since then. So an idle session ends between
HUB_SESSION_SECONDS minus that interval and HUB_SESSION_SECONDS after the last request, and
pages are told exactly how long is left, so the R-NEW-1 warning shows at the right time.
"""

from __future__ import annotations

import time

from django.conf import settings

RENEWED_AT = "_hub_session_renewed_at"
# Pages (and htmx responses, for the warning's timer) carry the seconds the session has left.
SECONDS_LEFT_HEADER = "X-Session-Seconds-Left"


def renew_after() -> int:
    """Seconds after its last write that a session is written again on the next request."""
    return min(settings.HUB_SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 2)


def _has_content(session) -> bool:
    return any(key != RENEWED_AT for key in session.keys())  # noqa: SIM118 (no __iter__)


def seconds_left(session, *, now: float | None = None) -> int:
    """How long an idle ``session`` has before it ends; a full lifetime if not yet stamped."""
    now = time.time() if now is None else now
    renewed = session.get(RENEWED_AT)
    if renewed is None:
        return settings.SESSION_COOKIE_AGE
    return max(0, int(renewed + settings.SESSION_COOKIE_AGE - now))


def stamp(session, *, now: float | None = None) -> None:
    """Record that ``session`` is being written now (this marks it modified)."""
    session[RENEWED_AT] = int(time.time() if now is None else now)


def stamp_on_login(sender, request, user, **kwargs) -> None:
    """A new login writes its session anyway: stamp it, so its next request writes nothing."""
    stamp(request.session)


class SessionRenewalMiddleware:
    """Renew a session only when it has aged past ``renew_after()``; after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None:  # a session cookie came in
            renewed = session.get(RENEWED_AT)
            aged = renewed is None or time.time() - renewed >= renew_after()
            if aged and _has_content(session):
                stamp(session)
        response = self.get_response(request)
        # Anything else that writes the session (a log-in, a keep-alive, a change of centre)
        # renews it too; an emptied session (log-out) is left empty, so its cookie goes.
        # Only a session something already read: touching it here would add Vary: Cookie
        # to anonymous pages.
        if session.accessed:
            if session.modified and _has_content(session):
                stamp(session)
            if RENEWED_AT in session:
                response.headers[SECONDS_LEFT_HEADER] = str(seconds_left(session))
        return response
