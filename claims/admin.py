from django import forms
from django.contrib import admin

from hub.admin import RecordInline

from . import services
from .models import AssessorAssignment, CentreAssessor, Claim, ClaimHistory, ClaimLine


class ReadOnlyInline(RecordInline):
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


class ClaimAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the contact, the visit date or late entries; "
        "kept in the audit trail.",
    )

    class Meta:
        model = Claim
        fields = ["contact_email", "visit_date", "late_allowed"]

    def clean(self):
        cleaned = super().clean()
        if self.changed_data and not (cleaned.get("reason") or "").strip():
            changes = [name for name in self.changed_data if name != "reason"]
            if changes:
                self.add_error("reason", "Say why the claim changes.")
        return cleaned


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimAdminForm
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
        "reason",
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

    def save_model(self, request, obj, form, change):
        # Through the service, so the override is audited (who, from, to, why).
        services.claim_admin_update(
            actor=request.user,
            claim=obj,
            contact_email=form.cleaned_data["contact_email"],
            visit_date=form.cleaned_data["visit_date"],
            late_allowed=form.cleaned_data["late_allowed"],
            reason=form.cleaned_data["reason"],
        )


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
