"""Awarding-body admin: assign moderators, carry out deletions (R-BAT-9), set sample rates."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone

from centres.models import BodyRole

from . import services
from .models import Batch, BatchDocument, BatchHistory, CentreSampleRate


class DeletionFilter(admin.SimpleListFilter):
    title = "deletion"
    parameter_name = "deletion"

    def lookups(self, request, model_admin):
        return [
            ("requested", "Requested, not done"),
            ("deleted", "Deleted"),
            ("live", "Not deleted"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "requested":
            return queryset.filter(deletion_requested_at__isnull=False, deleted_at__isnull=True)
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "live":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class BatchDocumentInline(admin.TabularInline):
    model = BatchDocument
    fields = [
        "kind",
        "batch_unit",
        "original_name",
        "size",
        "uploaded_by",
        "uploaded_at",
        "superseded_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class BatchHistoryInline(admin.TabularInline):
    model = BatchHistory
    fields = ["at", "actor", "event", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "centre",
        "qualification",
        "status",
        "unit_count",
        "moderator",
        "submitted_at",
        "sla_due_at",
        "deletion_requested_at",
        "deletion_target_date",
        "deleted_at",
    ]
    list_filter = ["status", DeletionFilter, "moderator", "qualification"]
    search_fields = ["=id", "centre__number", "centre__name", "qualification__code"]
    list_select_related = ["centre", "qualification", "moderator"]
    ordering = ["sla_due_at", "-pk"]
    actions = ["carry_out_deletion"]
    fields = [
        "centre",
        "qualification",
        "status",
        "moderator",
        "assigned_at",
        "override_documents",
        "override_by",
        "override_at",
        "units_submitted_at",
        "submitted_at",
        "sample_required",
        "sla_started_at",
        "sla_due_at",
        "outcome_at",
        "completed_at",
        "deletion_requested_at",
        "deletion_requested_by",
        "deletion_reason",
        "deletion_target_date",
        "deleted_at",
        "deleted_by",
        "files_purged_at",
    ]
    # Everything but the moderator is the centre's or the state machine's to change.
    readonly_fields = [f for f in fields if f != "moderator"]
    inlines = [BatchDocumentInline, BatchHistoryInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_unit_count=Count("units", filter=Q(units__released_at__isnull=True)))
        )

    @admin.display(description="learner-units", ordering="_unit_count")
    def unit_count(self, obj):
        return obj._unit_count

    @admin.display(description="deletion due by")
    def deletion_target_date(self, obj):
        return obj.deletion_target_date

    def has_add_permission(self, request):
        return False  # batches are built by centres

    def has_delete_permission(self, request, obj=None):
        return False  # the "carry out deletion" action keeps the record and its history

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "moderator":
            from centres.models import User

            kwargs["queryset"] = User.objects.filter(body_role=BodyRole.MODERATOR, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Assignment goes through the service, so it is locked and in the history.
        if change and "moderator" in form.changed_data:
            try:
                services.batch_assign(actor=request.user, batch=obj, moderator=obj.moderator)
            except services.BatchError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Carry out deletion (releases the learner-units, removes files)")
    def carry_out_deletion(self, request, queryset):
        done, refused = 0, []
        for batch in queryset.filter(files_purged_at__isnull=True):
            try:
                services.batch_admin_delete(actor=request.user, batch=batch)
            except services.BatchError as exc:
                refused.append(str(exc))
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} batch(es) deleted.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(CentreSampleRate)
class CentreSampleRateAdmin(admin.ModelAdmin):
    list_display = ["centre", "percent", "note", "set_by", "set_at"]
    search_fields = ["centre__number", "centre__name"]
    list_select_related = ["centre", "set_by"]
    autocomplete_fields = ["centre"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        obj.set_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(BatchHistory)
class BatchHistoryAdmin(admin.ModelAdmin):
    list_display = ["at", "batch", "actor", "event", "from_status", "to_status", "note"]
    list_filter = ["event", "to_status"]
    search_fields = ["=batch__id", "actor__email", "note"]
    list_select_related = ["batch", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
