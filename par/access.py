from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import UnitSelection


def get_selection_for_request(request: HttpRequest, pk: int) -> UnitSelection:
    """The unit selection ``pk`` of the current centre, or 404 (R-ACC-2)."""
    return get_object_or_404(
        UnitSelection.objects.for_centre(request.centre).select_related(
            "unit", "registration__learner", "registration__qualification"
        ),
        pk=pk,
    )
