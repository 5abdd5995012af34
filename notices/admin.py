from django.contrib import admin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """What the hub told whom and when; written only by the hub (R-NTF-1)."""

    list_display = ["created_at", "kind", "subject", "recipient", "email", "emailed_at", "read_at"]
    list_filter = ["kind", ("emailed_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "email", "recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
