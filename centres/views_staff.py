"""Staff access: the Programme Director grants colleagues the sections they need (R-ACC-1)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.paging import paginate

from .access import (
    get_membership_for_request,
    programme_director_required,
    section_required,
    staff_for,
)
from .forms_staff import StaffAccessForm, StaffInviteForm
from .models import Section
from .selectors import staff_by_name, staff_rows
from .services import membership_invite, membership_revoke, membership_update


def _site_url(request) -> str:
    # The hub's own address, never the Host the request came with: behind a load balancer
    # or a proxy that is an internal name, and a link in an email must open the real site.
    return settings.HUB_SITE_URL


@require_GET
@section_required(Section.STAFF)
def staff_list(request):
    page = paginate(request, staff_by_name(staff_for(request)))
    return render(
        request,
        "centres/staff_list.html",
        {
            "page": page,
            "members": page.object_list,
            "rows": staff_rows(page.object_list, viewer_id=request.user.pk),
            "can_manage": request.membership.is_programme_director,
        },
    )


@require_http_methods(["GET", "POST"])
@section_required(Section.STAFF)
@programme_director_required
def staff_invite(request):
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = membership_invite(
                actor=request.user,
                centre=request.centre,
                site_url=_site_url(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            user = outcome.membership.user
            if outcome.password_link_sent:
                messages.success(
                    request,
                    f"Invitation sent to {user.email}. They choose a password from the link "
                    "in the email, which works for three days.",
                )
            else:
                messages.success(
                    request,
                    f"{user} now has access to {request.centre.name}. We emailed them to say so.",
                )
            return redirect("centres:staff")
    return render(
        request,
        "centres/staff_form.html",
        {"form": form, "title": "Invite a colleague", "submit_label": "Send invitation"},
    )


@require_http_methods(["GET", "POST"])
@section_required(Section.STAFF)
@programme_director_required
def staff_edit(request, pk: int):
    membership = get_membership_for_request(request, pk)
    form = StaffAccessForm.for_membership(membership, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                sections=form.cleaned_data["sections"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Access for {membership.user} saved.")
            return redirect("centres:staff")
    return render(
        request,
        "centres/staff_form.html",
        {
            "form": form,
            "member": membership,
            "title": f"Edit access for {membership.user}",
            "submit_label": "Save access",
        },
    )


@require_GET
@section_required(Section.STAFF)
@programme_director_required
def staff_revoke_confirm(request, pk: int):
    membership = get_membership_for_request(request, pk)
    return render(request, "centres/staff_revoke_confirm.html", {"member": membership})


@require_POST
@section_required(Section.STAFF)
@programme_director_required
def staff_revoke(request, pk: int):
    membership = get_membership_for_request(request, pk)
    try:
        membership_revoke(actor=request.user, membership=membership)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"{membership.user} no longer has access to {request.centre.name}."
        )
    return redirect("centres:staff")
