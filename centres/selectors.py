"""Reads for the centre's long lists: learners and staff, a page of prepared rows at a time.

Each list is a queryset sorted on an indexed column (the view pages it) and a function that
turns one page into rows the template only prints: every URL and date is made here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from hub.paging import short_date, url_maker

from .models import Learner, Membership, RegistrationTally, Section

# Trigram indexes serve a LIKE '%term%' from three characters; shorter terms match so many
# learners that walking the name index is the cheaper plan.
TRIGRAM = 3


def learner_search(learners: QuerySet[Learner], *, term: str = "") -> QuerySet[Learner]:
    """The learners, filtered by surname or membership ("P") number (partial, any case),
    sorted by surname (learner_centre_name_idx)."""
    term = term.strip()
    order = ["last_name", "first_name", "pk"]
    if term:
        learners = learners.filter(
            Q(last_name__icontains=term) | Q(membership_number__icontains=term)
        )
    if len(term) >= TRIGRAM:
        # PostgreSQL finds such a term's matches in the trigram indexes (centres 0004);
        # sorting those few is cheaper than walking the name index past every learner that
        # does not match (a search for "smi" walked 28,000 of 40,000 to fill one page). The
        # expression sorts exactly as the column but keeps the planner off the name index.
        order[0] = Concat("last_name", Value(""))
    return learners.only(
        "pk", "membership_number", "candidate_number", "first_name", "last_name", "date_of_birth"
    ).order_by(*order)


@dataclass(frozen=True)
class LearnerRow:
    membership_number: str
    url: str
    name: str
    candidate_number: str
    date_of_birth: str


def learner_rows(learners: list[Learner]) -> list[LearnerRow]:
    url = url_maker("centres:learner-detail")
    return [
        LearnerRow(
            membership_number=learner.membership_number,
            url=url(learner.pk),
            name=f"{learner.last_name}, {learner.first_name}",
            candidate_number=learner.candidate_number,
            date_of_birth=short_date(learner.date_of_birth),
        )
        for learner in learners
    ]


def staff_by_name(members: QuerySet[Membership]) -> QuerySet[Membership]:
    """The centre's members by surname, first name and email."""
    return members.order_by("user__last_name", "user__first_name", "user__email", "pk")


# The grant columns of Staff access, in their order on the page.
STAFF_COLUMNS = [Section.PAR, Section.MODERATION, Section.CLAIMS, Section.LEARNERS, Section.STAFF]


@dataclass(frozen=True)
class StaffRow:
    pk: int
    name: str
    email: str
    label: str  # how the user is named in the buttons' hidden text
    role: str
    grants: list[bool]
    edit_url: str
    revoke_url: str  # blank on the viewer's own row: nobody revokes themselves


def staff_rows(members: list[Membership], *, viewer_id: int) -> list[StaffRow]:
    edit_url = url_maker("centres:staff-edit")
    revoke_url = url_maker("centres:staff-revoke-confirm")
    return [
        StaffRow(
            pk=m.pk,
            name=m.user.get_full_name() or "—",
            email=m.user.email,
            label=str(m.user),
            role=m.get_role_display(),
            grants=[m.grants(section) for section in STAFF_COLUMNS],
            edit_url=edit_url(m.pk),
            revoke_url="" if m.user_id == viewer_id else revoke_url(m.pk),
        )
        for m in members
    ]


def current_registration_counts(
    *, centre_id: int, qualification_id: int | None = None
) -> dict[int, int]:
    """{qualification id: current registrations} of the centre (one qualification's, if
    given), none zero: exact, from the tally the database keeps (RegistrationTally), so one
    probe of a few rows however many learners the centre has."""
    rows = RegistrationTally.objects.filter(centre_id=centre_id, n__gt=0)
    if qualification_id is not None:
        rows = rows.filter(qualification_id=qualification_id)
    return dict(rows.values_list("qualification_id", "n"))
