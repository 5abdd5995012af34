"""Awarding-body admin for reviews of moderation: assign the reviewer (R-REV-2).

A review is made by the centre's request and moved by its reviewer; here the awarding
body's administrators give it a reviewer (never the original moderator or assessor) and
read everything else: the request, its evidence's name, the SLA clock, the decision, the
learner-units it changed and the history. There is no Add and no Delete.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from hub.admin import RecordInline

from . import services
from .access import review_evidence_response
from .models import ASSIGNABLE, Review, ReviewHistory, ReviewLine
from .selectors import eligible_reviewers


class ReviewAdminForm(forms.ModelForm):
    """The reviewer, checked as the service checks it, so a refusal shows by the field."""

    class Meta:
        model = Review
        fields = ["reviewer"]

    def clean_reviewer(self):
        reviewer = self.cleaned_data.get("reviewer")
        if reviewer is None:
            if self.instance.reviewer_id is not None:
                raise forms.ValidationError("A review keeps its reviewer; choose another one.")
            return reviewer
        if reviewer.pk == self.instance.reviewer_id:
            return reviewer
        try:
            services.ensure_reviewer_allowed(self.instance, reviewer)
        except services.ReviewError as exc:
            raise forms.ValidationError(str(exc)) from None
        return reviewer


class ReviewHistoryInline(RecordInline):
    model = ReviewHistory
    fields = ["at", "actor", "event", "from_status", "to_status", "note"]
    readonly_fields = fields


class ReviewLineInline(RecordInline):
    model = ReviewLine
    verbose_name = "result changed on review"
    verbose_name_plural = "results changed on review"
    fields = ["learner_name", "p_number", "unit_code", "before_label", "after_label"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "subject_label",
        "centre",
        "status",
        "requested_at",
        "reviewer",
        "sla_due_at",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["=id", "centre__number", "centre__name", "=batch__id", "claim__number"]
    list_select_related = ["centre", "claim", "reviewer"]
    ordering = ["-requested_at", "-pk"]
    form = ReviewAdminForm
    fields = [
        "centre",
        "batch",
        "claim",
        "status",
        "outcome_status",
        "outcome_at",
        "original_by",
        "requested_by",
        "requested_at",
        "reasons",
        "evidence_file",
        "reviewer",
        "assigned_by",
        "assigned_at",
        "started_at",
        "sla_due_at",
        "decided_at",
        "comments",
    ]
    # Everything but the reviewer is the centre's, the reviewer's or the clock's.
    readonly_fields = [f for f in fields if f != "reviewer"]
    inlines = [ReviewLineInline, ReviewHistoryInline]

    @admin.display(description="review of")
    def subject_label(self, obj: Review) -> str:
        return obj.subject_label

    @admin.display(description="evidence")
    def evidence_file(self, obj: Review) -> str:
        """The centre's evidence, downloaded through ``evidence_view`` (R-ACC-3)."""
        if not obj.has_evidence:
            return "No evidence file was sent."
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:reviews_review_evidence", args=[obj.pk]),
            obj.evidence_name or "evidence",
            filesizeformat(obj.evidence_size),
        )

    def get_urls(self):
        evidence = path(
            "<int:pk>/evidence/",
            self.admin_site.admin_view(self.evidence_view),
            name="reviews_review_evidence",
        )
        return [evidence, *super().get_urls()]

    def evidence_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The evidence for the awarding body's administrators who may see the review; the
        centre and the assigned reviewer have their own pages (R-ACC-3)."""
        review = Review.objects.filter(pk=pk).first()
        if review is None:
            raise Http404
        if not self.has_view_or_change_permission(request, review):
            raise PermissionDenied
        return review_evidence_response(request, review)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.status not in ASSIGNABLE:
            fields.append("reviewer")  # a decided review keeps the reviewer who decided it
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            review = getattr(request, "_review_being_changed", None)
            if review is not None:
                kwargs["queryset"] = eligible_reviewers(review)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The reviewer choices depend on the review (never its original decider, R-REV-2).
        request._review_being_changed = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request):
        return False  # reviews are asked for by centres

    def has_delete_permission(self, request, obj=None):
        return False  # the record and its history stay (R-NEW-3)

    def save_model(self, request, obj, form, change):
        # Assignment goes through the service, locked, checked, in the history and noticed;
        # the form's object itself is never saved.
        if change and "reviewer" in form.changed_data and obj.reviewer is not None:
            try:
                services.review_assign(actor=request.user, review=obj, reviewer=obj.reviewer)
            except services.ReviewError as exc:
                # Refused at the service (the review moved on since the form was shown):
                # say so, and neither log a change nor claim one (log_change, response_change).
                request._review_assign_refused = True
                self.message_user(request, str(exc), messages.ERROR)

    def log_change(self, request, obj, message):
        if getattr(request, "_review_assign_refused", False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "_review_assign_refused", False):
            return HttpResponseRedirect(request.path)  # back to the form, its error shown
        return super().response_change(request, obj)
