def current_centre(request):
    return {
        "current_membership": getattr(request, "membership", None),
        "current_centre": getattr(request, "centre", None),
        "available_memberships": getattr(request, "memberships", []),
    }
