from django.contrib import admin, messages

from . import outbox
from .models import DeadlineAlert, OutboxMessage


class RecordInline(admin.TabularInline):
    """Rows a record keeps (its history, its documents, its lines) on its admin page: shown,
    never added here, never deleted (R-NEW-3). Subclasses list ``readonly_fields``."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Side effects waiting or failed, for admins to see and send round again."""

    list_display = ["pk", "kind", "created_at", "attempts", "available_at", "done_at", "last_error"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["requeue"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Try the selected messages again now")
    def requeue(self, request, queryset):
        count = outbox.requeue(
            actor=request.user, message_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, f"{count} message(s) sent round again.", messages.SUCCESS)


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(admin.ModelAdmin):
    list_display = ["kind", "batch", "claim_source", "due", "recipients", "created_at", "sent_at"]
    list_select_related = ["batch", "claim_source"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in DeadlineAlert._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # raised by the deadline sweeps, once per crossing
