from contextlib import nullcontext

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.utils.functional import SimpleLazyObject

from .access import resolve_membership
from .backends import preloaded_from


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        session = request.session
        taking = preloaded_from(session) if hasattr(session, "preloaded_user") else nullcontext()
        with taking:
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's, with the user the session engine read with the session (hub.session_store):
    Django's ``auth.get_user`` runs as usual (the session's backend, its hash check) and the
    log-in backend takes that user instead of reading them again (centres.backends)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


class CurrentCentreMiddleware:
    """Resolve the user's current centre once per request.

    Sets ``request.memberships`` (all active ones), ``request.membership`` and
    ``request.centre`` (None for anonymous users and for awarding-body staff without one).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memberships, current = resolve_membership(request.user)
        request.memberships = memberships
        request.membership = current
        request.centre = current.centre if current else None
        return self.get_response(request)
