from django.contrib import admin

from .models import UnitSelection


@admin.register(UnitSelection)
class UnitSelectionAdmin(admin.ModelAdmin):
    list_display = [
        "registration",
        "unit",
        "selected_at",
        "selected_by",
        "result",
        "result_at",
        "result_source",
    ]
    list_filter = ["result", "registration__qualification"]
    search_fields = [
        "registration__learner__membership_number",
        "registration__learner__last_name",
        "unit__code",
    ]
    autocomplete_fields = ["registration", "unit"]
    list_select_related = [
        "registration__learner",
        "registration__qualification",
        "unit",
        "selected_by",
    ]
    readonly_fields = ["selected_at", "selected_by"]

    def has_add_permission(self, request) -> bool:
        # Centres choose units on the PAR, whose service checks the rules (R-PAR-1 ...).
        return False
