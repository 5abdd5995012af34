from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    Approval,
    AuditEvent,
    Centre,
    Learner,
    Membership,
    Qualification,
    QualificationUnit,
    Registration,
    Unit,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["centre", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "body_role",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["body_role", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Awarding body", {"fields": ("body_role", "current_centre")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "body_role")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    autocomplete_fields = ["current_centre"]
    inlines = [MembershipInline]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    autocomplete_fields = ["qualification"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "contact_email", "digital_certificates", "is_active"]
    list_filter = ["is_active", "digital_certificates", "approvals__qualification"]
    search_fields = ["number", "name", "contact_email"]
    inlines = [ApprovalInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "centre",
        "role",
        "can_par",
        "can_moderation",
        "can_claims",
        "can_learners",
        "can_staff",
        "is_active",
    ]
    list_filter = ["role", "is_active", "can_par", "can_moderation", "can_claims", "centre"]
    search_fields = ["user__email", "user__last_name", "centre__name", "centre__number"]
    autocomplete_fields = ["user", "centre"]
    list_select_related = ["user", "centre"]


class QualificationUnitInline(admin.TabularInline):
    model = QualificationUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "route", "grading", "min_credits", "is_active"]
    list_filter = ["route", "grading", "level", "is_active"]
    search_fields = ["code", "title"]
    inlines = [QualificationUnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "credit"]
    list_filter = ["level"]
    search_fields = ["code", "title"]


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ["centre", "qualification", "approved_on"]
    list_filter = ["qualification"]
    search_fields = ["centre__name", "centre__number", "qualification__code"]
    autocomplete_fields = ["centre", "qualification"]
    list_select_related = ["centre", "qualification"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    autocomplete_fields = ["qualification", "entered_units"]


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = [
        "membership_number",
        "last_name",
        "first_name",
        "candidate_number",
        "date_of_birth",
        "centre",
    ]
    list_filter = ["centre"]
    search_fields = ["membership_number", "last_name", "first_name", "candidate_number"]
    autocomplete_fields = ["centre"]
    list_select_related = ["centre"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["learner", "qualification", "entry_type", "is_current", "registered_on"]
    list_filter = ["is_current", "entry_type", "qualification"]
    search_fields = ["learner__membership_number", "learner__last_name", "qualification__code"]
    autocomplete_fields = ["learner", "qualification", "entered_units"]
    list_select_related = ["learner", "qualification"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "centre", "action", "subject"]
    list_filter = ["action", "centre"]
    search_fields = ["subject", "actor__email", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor", "centre"]

    # The audit trail is append-only, for admins too.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
