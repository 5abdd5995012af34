from .access import resolve_membership


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
