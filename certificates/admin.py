from django.contrib import admin, messages
from django.utils import timezone

from .models import Certificate, CertificateDispatch, FailedJob
from .selectors import dispatches_at_risk, dispatches_late


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "learner",
        "qualification",
        "batch",
        "claim",
        "issued_at",
        "dispatched_at",
    ]
    list_select_related = ["learner", "qualification", "batch", "claim"]
    search_fields = ["number", "learner__membership_number", "learner__last_name"]
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # issued by the hub when a batch is Complete (R-SLA-2)


class DispatchDueFilter(admin.SimpleListFilter):
    """The dashboard's dispatch figures as lists: the same queries the figures count."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("at_risk", "At risk"), ("late", "Late")]

    def queryset(self, request, queryset):
        chosen = {"at_risk": dispatches_at_risk, "late": dispatches_late}.get(self.value())
        if chosen is None:
            return queryset
        return queryset.filter(pk__in=chosen(today=timezone.localdate()).values("pk"))


@admin.register(CertificateDispatch)
class CertificateDispatchAdmin(admin.ModelAdmin):
    list_display = [
        "batch",
        "claim",
        "centre",
        "due_on",
        "certificate_count",
        "dispatched_at",
        "sent_to",
    ]
    list_select_related = ["batch", "claim", "centre"]
    list_filter = [("dispatched_at", admin.EmptyFieldListFilter), DispatchDueFilter]
    readonly_fields = [f.name for f in CertificateDispatch._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # made by the hub with the batch's certificates


@admin.register(FailedJob)
class FailedJobAdmin(admin.ModelAdmin):
    """R-SLA-3: tasks that ran out of retries, with a "Run again" action."""

    list_display = ["task", "args", "error", "failed_at", "rerun_at", "rerun_by"]
    readonly_fields = [f.name for f in FailedJob._meta.fields]
    list_filter = [("rerun_at", admin.EmptyFieldListFilter)]
    actions = ["run_again"]

    def has_add_permission(self, request) -> bool:
        return False  # recorded by the worker; a made-up job would be counted and run

    @admin.action(description="Run the selected jobs again")
    def run_again(self, request, queryset):
        from celery import current_app

        jobs = list(queryset.filter(rerun_at__isnull=True))
        for job in jobs:
            current_app.send_task(job.task, args=job.args, kwargs=job.kwargs)
        queryset.filter(pk__in=[j.pk for j in jobs]).update(
            rerun_at=timezone.now(), rerun_by=request.user
        )
        self.message_user(request, f"{len(jobs)} job(s) queued again.", messages.SUCCESS)
