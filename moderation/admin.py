"""Awarding-body admin: assign moderators, carry out deletions (R-BAT-9), set sample rates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.utils import timezone

from centres.models import BodyRole
from hub.admin import RecordInline

from . import selectors, services
from .models import AWAITING_MODERATOR, Batch, BatchDocument, BatchHistory, CentreSampleRate


class BatchAdminForm(forms.ModelForm):
    """The moderator, and the SLA due date with the reason a change needs (R-SLA-1)."""

    sla_reason = forms.CharField(
        label="Reason for changing the SLA due date",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the SLA due date; the centre and the moderator "
        "see it with the new date.",
    )

    class Meta:
        model = Batch
        fields = ["moderator", "sla_due_at"]

    sla_changed = False

    def clean(self):
        cleaned = super().clean()
        if "sla_due_at" not in self.fields:
            return cleaned
        stored = self.instance.sla_due_at
        sent = any(key.startswith("sla_due_at") for key in self.data)
        if not sent:
            # A form that did not send the date (an assignment alone) leaves it as it is.
            cleaned["sla_due_at"] = stored
            return cleaned
        due = cleaned.get("sla_due_at")
        # The form shows minutes; the stored date has seconds and microseconds.
        self.sla_changed = _minute(due) != _minute(stored)
        if not self.sla_changed:
            cleaned["sla_due_at"] = stored
        elif due is None:
            self.add_error("sla_due_at", "A batch awaiting its moderator needs a due date.")
        elif not (cleaned.get("sla_reason") or "").strip():
            self.add_error("sla_reason", "Say why the SLA due date changes.")
        return cleaned


def _minute(value):
    return value.replace(second=0, microsecond=0) if value is not None else None


class DeletionActionForm(helpers.ActionForm):
    """The deletion action's reason, shown to the centre on the batch's tombstone."""

    reason = forms.CharField(
        required=False,
        label="Reason (for deletion)",
        help_text="Shown to the centre; the centre's own request's reason when left empty.",
    )


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


class SlaFilter(admin.SimpleListFilter):
    """The dashboard's SLA figures as lists: the same queries the figures count."""

    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due_soon", "Due soon"),
            ("turnaround", "Outcome in the last 90 days"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        chosen = {
            "overdue": selectors.batches_sla_overdue,
            "due_soon": selectors.batches_sla_due_soon,
            "turnaround": selectors.batches_turned_around,
        }.get(self.value())
        if chosen is None:
            return queryset
        return queryset.filter(pk__in=chosen(now=now).values("pk"))


class BatchDocumentInline(RecordInline):
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
    show_change_link = False


class BatchHistoryInline(RecordInline):
    model = BatchHistory
    fields = ["at", "actor", "event", "from_status", "to_status", "note"]
    readonly_fields = fields


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
    list_filter = ["status", DeletionFilter, SlaFilter, "moderator", "qualification"]
    search_fields = ["=id", "centre__number", "centre__name", "qualification__code"]
    list_select_related = ["centre", "qualification", "moderator"]
    ordering = ["sla_due_at", "-pk"]
    actions = ["carry_out_deletion"]
    action_form = DeletionActionForm
    form = BatchAdminForm
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
        "sla_reason",
        "sla_extended_at",
        "sla_extension_reason",
        "outcome_at",
        "completed_at",
        "deletion_requested_at",
        "deletion_requested_by",
        "deletion_reason",
        "deletion_target_date",
        "deleted_at",
        "deleted_by",
        "files_purged_at",
        "deleted_by_role",
        "deleted_reason",
    ]
    # Everything but the moderator and the SLA due date (with its reason) is the centre's or
    # the state machine's to change.
    readonly_fields = [f for f in fields if f not in ("moderator", "sla_due_at", "sla_reason")]
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # The SLA can be moved only while its clock runs (R-SLA-1).
        if obj is None or obj.status not in AWAITING_MODERATOR or obj.deleted_at is not None:
            fields += ["sla_due_at", "sla_reason"]
        return fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "sla_reason" in self.get_readonly_fields(request, obj):
            fields.remove("sla_reason")  # a form-only field has nothing to show read-only
        return fields

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
        # Assignment and the SLA go through the services, so each is locked, checked and in
        # the history; the form's object itself is never saved.
        if change and "moderator" in form.changed_data:
            try:
                services.batch_assign(actor=request.user, batch=obj, moderator=obj.moderator)
            except services.BatchError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if change and form.sla_changed:
            try:
                services.batch_extend_sla(
                    actor=request.user,
                    batch=obj,
                    due=form.cleaned_data["sla_due_at"],
                    reason=form.cleaned_data["sla_reason"],
                )
            except services.BatchError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Carry out deletion (releases the learner-units, removes files)")
    def carry_out_deletion(self, request, queryset):
        done, refused = 0, []
        reason = request.POST.get("reason", "")
        for batch in queryset.filter(files_purged_at__isnull=True):
            try:
                services.batch_admin_delete(actor=request.user, batch=batch, reason=reason)
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

    def get_readonly_fields(self, request, obj=None):
        # A rate belongs to its centre: set another centre's rate with Add instead.
        return [*self.readonly_fields, "centre"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is audited (who, from, to, why) like any other.
        rate = services.centre_sample_rate_set(
            actor=request.user, centre=obj.centre, percent=obj.percent, note=obj.note
        )
        obj.pk, obj.set_by, obj.set_at = rate.pk, rate.set_by, rate.set_at

    def delete_model(self, request, obj):
        services.centre_sample_rate_remove(actor=request.user, rate=obj)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            services.centre_sample_rate_remove(actor=request.user, rate=rate)


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
