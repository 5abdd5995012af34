from django.contrib import admin

from .models import AssessorAssignment, CentreAssessor, Claim, ClaimHistory, ClaimLine


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    fields = [
        "registration",
        "unit",
        "grade",
        "assessor",
        "other_awarding_body",
        "sampled",
        "outcome",
    ]
    readonly_fields = fields


class ClaimHistoryInline(ReadOnlyInline):
    model = ClaimHistory
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "centre", "qualification", "status", "visit_date", "late_allowed"]
    list_filter = ["status", "late_allowed", "qualification"]
    search_fields = ["number", "reference", "centre__number", "centre__name", "qualification__code"]
    list_select_related = ["centre", "qualification"]
    # Status moves only through claims.services (R-CLM-10); admins may lift R-CLM-12's
    # deadlines for one claim and correct its visit date.
    fields = [
        "centre",
        "qualification",
        "status",
        "number",
        "reference",
        "contact_email",
        "visit_date",
        "late_allowed",
        "created_at",
        "submitted_at",
        "sampled_at",
        "finalised_at",
        "processed_at",
        "withdrawn_at",
    ]
    readonly_fields = [
        "centre",
        "qualification",
        "status",
        "number",
        "reference",
        "created_at",
        "submitted_at",
        "sampled_at",
        "finalised_at",
        "processed_at",
        "withdrawn_at",
    ]
    inlines = [ClaimLineInline, ClaimHistoryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CentreAssessor)
class CentreAssessorAdmin(admin.ModelAdmin):
    list_display = ["name", "initials", "centre", "qualification", "is_active"]
    list_filter = ["is_active", "qualification"]
    search_fields = ["name", "initials", "centre__number", "centre__name"]
    autocomplete_fields = ["centre", "qualification"]
    list_select_related = ["centre", "qualification"]


@admin.register(AssessorAssignment)
class AssessorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["assessor", "centre", "assigned_at"]
    list_filter = ["centre"]
    search_fields = ["assessor__email", "centre__number", "centre__name"]
    autocomplete_fields = ["centre"]
    list_select_related = ["assessor", "centre"]
