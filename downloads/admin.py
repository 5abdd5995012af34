from django.contrib import admin

from .models import DownloadRequest


@admin.register(DownloadRequest)
class DownloadRequestAdmin(admin.ModelAdmin):
    """Prepared downloads (R-DL-1): who asked for what, and how its build went. Written only
    by the hub; beat's download sweep removes expired zips."""

    list_display = ["created_at", "title", "requested_by", "status", "files_total", "size"]
    list_filter = ["status", "scope", "as_moderator"]
    search_fields = ["title", "requested_by__email"]
    list_select_related = ["requested_by"]
    readonly_fields = [f.name for f in DownloadRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
