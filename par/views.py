"""ADD Optional Units (Formerly PAR): Individual Add/Remove and Bulk Add Optional Units."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from centres.access import get_learner_for_request, section_required
from centres.models import Section
from hub.fixed_urls import fixed_url
from hub.paging import paginate
from hub.templatetags.hub_links import page_links

from . import rows, selectors, services
from .access import get_selection_for_request
from .forms import BulkUnitsForm, NameFilterForm, QualificationFilterForm

LEARNERS_PER_PAGE = 25
BULK_LEARNERS_PER_PAGE = 100


def _back(request: HttpRequest, default: str) -> str:
    """Where to go after a post: ``next`` when it is a path on this site, else ``default``.

    Only an absolute local path is taken: ``redirect`` would try a bare word such as ``foo``
    as a view name (NoReverseMatch, a 500), and another host is never followed.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return target
    return default


@require_GET
@section_required(Section.PAR)
def index(request):
    return render(request, "par/index.html")


@require_GET
@section_required(Section.PAR)
def individual(request):
    """Individual Add/Remove, three ways to find learners (R-PAR-1)."""
    centre = request.centre
    mode = request.GET.get("mode", "")
    # A tab just opened (?mode=name) has nothing typed yet: its form stays unbound, so no
    # "enter a ..." error shows before the user has pressed the button.
    # Each form is made only for the tab that shows it (the template reads no other):
    # making one deep-copies its fields, a queryset's clone for the qualification's.
    name_form = qualification_form = None
    if mode == "qualification":
        qualification_form = QualificationFilterForm(
            request.GET if "qualification" in request.GET else None,
            centre=centre,
            listed=selectors.centre_qualification_list(centre),
        )
    elif mode != "all":
        name_form = NameFilterForm(request.GET if mode == "name" and "q" in request.GET else None)
    registrations = None
    if mode == "name" and name_form.is_valid():
        registrations = selectors.RegistrationPages(centre, search=name_form.cleaned_data["q"])
    elif mode == "qualification" and qualification_form.is_valid():
        registrations = selectors.RegistrationPages(
            centre, qualification=qualification_form.cleaned_data["qualification"]
        )
    elif mode == "all":
        registrations = selectors.RegistrationPages(centre)

    qualification_options = ""
    if qualification_form is not None:
        qualification_options = mark_safe(  # noqa: S308 (par/rows.py escapes)
            rows.qualification_options(
                qualification_form.listed, qualification_form["qualification"].value()
            )
        )
    page = cards = None
    listed_head = listed_tail = ""
    if registrations is not None:
        page = paginate(request, registrations, per_page=LEARNERS_PER_PAGE)
        cards = selectors.learner_cards(list(page.object_list))
        # A search that finds one learner opens their units straight away.
        groups = selectors.cards_by_qualification(cards, opened=len(cards) == 1)
        listed_head, listed_tail = _individual_listed(request, page, groups)
    return render(
        request,
        "par/individual.html",
        {
            "mode": mode,
            "name_form": name_form,
            "qualification_form": qualification_form,
            "qualification_options": qualification_options,
            "page": page,
            "cards": cards,
            "listed_head": listed_head,
            "listed_tail": listed_tail,
        },
    )


def _individual_listed(request: HttpRequest, page, groups) -> tuple[str, str]:
    """The found learners' HTML (par/rows.py), before and after the form's CSRF field, or
    the note that none match: the template printed it through lookups and tags, several on
    the Page, whose every attribute is a failed item lookup first."""
    if not groups:
        return mark_safe(f"\n  \n  {rows.NO_LEARNERS_MATCH}\n  \n"), ""  # noqa: S308
    paginator = page.paginator
    head, tail = rows.individual_listed(
        count=intcomma(paginator.count),
        plural="" if paginator.count == 1 else "s",
        showing=_showing(page),
        add_url=fixed_url("par:add"),
        next_path=request.get_full_path(),
        groups_html="".join(
            rows.qualification_group(
                code=qualification.code,
                title=qualification.title,
                size=len(group),
                cards_html=cards_html,
            )
            for qualification, group, cards_html in groups
        ),
        continue_url=fixed_url("par:index"),
        pagination=_pagination(page),
    )
    # Safe: par/rows.py escapes every text it is given.
    return mark_safe(head), mark_safe(tail)  # noqa: S308


def _showing(page) -> str:
    """The count line's "; showing 1&ndash;25" (HTML) when there is more than one page."""
    if page.paginator.num_pages > 1:
        return f"; showing {page.start_index()}&ndash;{page.end_index()}"
    return ""


def _pagination(page) -> str:
    """hub/_pagination.html as a template included it after a list of ``paginate``."""
    return f"\n\n{page_links(page)}\n\n\n" if page.has_other_pages() else "\n"


def _ticked_pairs(request: HttpRequest) -> tuple[list[tuple[int, int]], bool]:
    pairs, malformed = [], False
    for value in request.POST.getlist("unit"):
        registration_id, _, unit_id = value.partition(":")
        if registration_id.isdigit() and unit_id.isdigit():
            pairs.append((int(registration_id), int(unit_id)))
        else:
            malformed = True
    return pairs, malformed


@require_POST
@section_required(Section.PAR)
def add_selected(request):
    """ "Add all selected units.": save every ticked learner-unit at once (R-PAR-3)."""
    back = _back(request, reverse("par:individual"))
    pairs, malformed = _ticked_pairs(request)
    if malformed:
        messages.error(
            request, "The selection could not be read. Nothing was saved; please try again."
        )
        return redirect(back)
    if not pairs:
        messages.warning(request, "No units were ticked, so nothing was added.")
        return redirect(back)
    try:
        outcome = services.selections_add(actor=request.user, centre=request.centre, pairs=pairs)
    except ValidationError as exc:
        messages.error(request, "Nothing was saved: " + " ".join(exc.messages))
        return redirect(back)
    text = f"{outcome.created} unit{'s' if outcome.created != 1 else ''} selected."
    if outcome.already_selected:
        text += f" {outcome.already_selected} had been selected already."
    messages.success(request, text)
    return redirect(back)


@require_POST
@section_required(Section.PAR)
def remove(request, pk: int):
    """Remove a selection that no batch or claim holds (R-PAR-3)."""
    selection = get_selection_for_request(request, pk)
    registration = selection.registration
    learner = registration.learner
    try:
        services.selection_remove(actor=request.user, centre=request.centre, selection=selection)
    except services.SelectionLocked as exc:
        feedback, level = str(exc), messages.ERROR
    else:
        feedback = f"{selection.unit.code} removed from {learner.full_name}'s selection."
        level = messages.SUCCESS
    if request.headers.get("HX-Request"):
        # Swap just this learner's units; other ticks on the page stay as they are.
        card = selectors.learner_cards([registration])[0]
        return render(
            request,
            "par/_learner_units.html",
            {"card": card, "feedback": feedback, "feedback_ok": level == messages.SUCCESS},
        )
    messages.add_message(request, level, feedback)
    return redirect(_back(request, reverse("par:learner", args=[learner.pk])))


@require_GET
@section_required(Section.PAR)
def learner_par(request, pk: int):
    """One learner's record: every unit of every registration and its state."""
    learner = get_learner_for_request(request, pk)
    registrations = list(
        learner.registrations.select_related("learner", "qualification").order_by(
            "-is_current", "qualification__code"
        )
    )
    return render(
        request,
        "par/learner.html",
        {"learner": learner, "cards": selectors.learner_cards(registrations)},
    )


@require_GET
@section_required(Section.PAR)
def bulk(request):
    """Bulk Add Optional Units: qualification, units, then "List Available Learners" (R-PAR-4)."""
    page = None
    context = {}
    if "list" in request.GET:
        form = BulkUnitsForm(request.GET, centre=request.centre)
        if form.is_valid():
            available = selectors.RegistrationPages(
                request.centre,
                qualification=form.cleaned_data["qualification"],
                available_for=form.cleaned_data["units"],
            )
            page = paginate(request, available, per_page=BULK_LEARNERS_PER_PAGE)
            context["listed_head"], context["listed_tail"] = _bulk_listed(request, form, page)
    else:
        # Choosing a qualification only refreshes the unit list: no errors yet.
        initial = {"qualification": request.GET.get("qualification", "")}
        initial["units"] = request.GET.getlist("units")
        form = BulkUnitsForm(initial=initial, centre=request.centre)
    if page is None:
        # Step one is shown: its select lists the centre's qualifications.
        context["qualification_options"] = mark_safe(  # noqa: S308 (par/rows.py escapes)
            rows.qualification_options(
                selectors.centre_qualification_list(request.centre), form["qualification"].value()
            )
        )
    return render(request, "par/bulk.html", {"form": form, "page": page, **context})


def _bulk_listed(request: HttpRequest, form: BulkUnitsForm, page) -> tuple[str, str]:
    """The listed step's HTML (par/rows.py), before and after the form's CSRF field: the
    template printed it through some 60 lookups and tags (a Page's attribute is a failed
    item lookup first), most of the page's Python after the rows themselves."""
    qualification = form.cleaned_data["qualification"]
    unit_ids = form.cleaned_data["units"]
    chosen = set(unit_ids)
    # Back to step one with the same qualification and units ticked.
    query = QueryDict(mutable=True)
    query["qualification"] = qualification.pk
    query.setlist("units", [str(u) for u in unit_ids])
    paginator = page.paginator
    rows_html = selectors.bulk_rows_html(list(page.object_list))
    head, tail = rows.bulk_listed(
        code=qualification.code,
        title=qualification.title,
        chosen_units=[label for value, label in form.fields["units"].choices if value in chosen],
        change_units_url=f"{fixed_url('par:bulk')}?{query.urlencode()}",
        count=intcomma(paginator.count),
        plural="" if paginator.count == 1 else "s",
        showing=_showing(page),
        apply_url=fixed_url("par:bulk-apply"),
        next_path=request.get_full_path(),
        qualification_id=qualification.pk,
        unit_ids=unit_ids,
        rows_html=rows_html,
        pagination=_pagination(page),
        continue_url=fixed_url("par:index"),
    )
    # Safe: par/rows.py escapes every text it is given.
    return mark_safe(head), mark_safe(tail)  # noqa: S308


@require_POST
@section_required(Section.PAR)
def bulk_apply(request):
    """ "Proceed with Bulk unit update": give every ticked learner all chosen units."""
    form = BulkUnitsForm(request.POST, centre=request.centre)
    back = _back(request, reverse("par:bulk"))
    if not form.is_valid():
        messages.error(request, "Choose a qualification and at least one unit first.")
        return redirect(back)
    registration_ids = [int(v) for v in request.POST.getlist("registration") if v.isdigit()]
    if not registration_ids:
        messages.warning(request, "No learners were ticked, so nothing was updated.")
        return redirect(back)
    unit_ids = form.cleaned_data["units"]
    # Only learners still available: a colleague may have given them a unit meanwhile.
    available = list(
        selectors.bulk_available_registrations(
            request.centre, form.cleaned_data["qualification"], unit_ids
        )
        .filter(pk__in=registration_ids)
        .values_list("pk", flat=True)
    )
    try:
        outcome = services.selections_add(
            actor=request.user,
            centre=request.centre,
            pairs=[(r, u) for r in available for u in unit_ids],
        )
    except ValidationError as exc:
        messages.error(request, "Nothing was saved: " + " ".join(exc.messages))
        return redirect(back)
    skipped = len(set(registration_ids)) - len(available)
    text = (
        f"Bulk unit update done: {outcome.created} selection{'s' if outcome.created != 1 else ''} "
        f"made for {len(available)} learner{'s' if len(available) != 1 else ''}."
    )
    if skipped:
        text += (
            f" {skipped} ticked learner{'s were' if skipped != 1 else ' was'} no longer available."
        )
    messages.success(request, text)
    return redirect(back)
