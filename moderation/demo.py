"""The demo's batches (issue 14): every status, one overdue, played through the services.

Each batch is built by the people who would build it (the centre's administrator ticks
units on the PAR, uploads the documents and the sample and submits; the moderator takes it
and sets an outcome), so its history, audit rows and notices are the real ones. Each step
is then moved back to the day the story gives it (``centres.demo.backdate_since``), so the
SLA dashboard has figures and one batch is overdue on first login.

Learners are taken from the back of each centre's list: the first current learner at
Northgate and every unit the guides' journeys tick (CMI507 for that learner) stay free.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from centres.demo import BATCH_QUALIFICATION, days_ago
from centres.models import Centre, Learner, Qualification, Registration, User
from hub.workdays import add_working_days
from par.models import UnitSelection
from par.services import selections_add

from . import services
from .models import SLA_DAYS, Batch, BatchStatus

S = BatchStatus


def demo_pdf(title: str) -> bytes:
    """A one-page PDF a moderator can open: what the demo uploads as evidence."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    page.drawString(72, 745, "Demo document made by seed_demo. It holds no learner's real work.")
    page.showPage()
    page.save()
    return buffer.getvalue()


@dataclass
class Story:
    """Who acts, and the learners handed out to the batches, in membership number order."""

    centre: Centre
    qualification: Qualification
    admin: User
    moderator: User
    staff: User
    learners: list[Learner]
    pdf: bytes
    batches: dict[str, Batch] = field(default_factory=dict)

    def upload(self, name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, self.pdf, content_type="application/pdf")

    def learner(self, index: int) -> Learner:
        """The ``index``-th learner from the back of the list."""
        return self.learners[-1 - index]

    def select_on_par(self, picks: list[tuple[Learner, str]]) -> list[int]:
        """Tick each (learner, unit code) on the PAR as the administrator; the selection ids."""
        units = dict(self.qualification.units.values_list("code", "pk"))
        registrations = dict(
            Registration.objects.filter(
                learner__in=[learner for learner, _ in picks], qualification=self.qualification
            ).values_list("learner_id", "pk")
        )
        pairs = [(registrations[learner.pk], units[code]) for learner, code in picks]
        selections_add(actor=self.admin, centre=self.centre, pairs=pairs)
        lookup = {
            (r, u): pk
            for pk, r, u in UnitSelection.objects.filter(
                registration_id__in=registrations.values()
            ).values_list("pk", "registration_id", "unit_id")
        }
        return [lookup[pair] for pair in pairs]

    def draft(self, picks: list[tuple[Learner, str]]) -> Batch:
        """Add Batch, the two documents, units ticked on Select Units to Pass on Batch."""
        selection_ids = self.select_on_par(picks)
        batch = services.batch_create(
            actor=self.admin, centre=self.centre, qualification=self.qualification
        )
        services.batch_set_documents(
            actor=self.admin,
            batch=batch,
            iv_feedback=self.upload("iv-feedback.pdf"),
            brief=self.upload("assessment-brief.pdf"),
        )
        services.batch_select_units(actor=self.admin, batch=batch, add=selection_ids)
        return batch

    def upload_sample(self, batch: Batch, *, limit: int | None = None) -> None:
        """Learner work in the batch's slots (all of them, or the first ``limit``)."""
        units = batch.units.filter(released_at__isnull=True).order_by("pk")
        for unit in list(units)[:limit]:
            services.batch_upload_sample(
                actor=self.admin, batch=batch, batch_unit=unit, upload=self.upload("work.pdf")
            )

    def submitted(self, picks: list[tuple[Learner, str]], *, when: float) -> Batch:
        """A batch built and submitted ``when`` days ago with its full first sample (R-BAT-6)."""
        with days_ago(when + 1):
            batch = self.draft(picks)
            services.batch_submit_units(actor=self.admin, batch=batch)
            self.upload_sample(batch)
        with days_ago(when):
            services.batch_submit(actor=self.admin, batch=batch)
        return batch

    def moderated(self, batch: Batch, outcome: str, comments: str, *, taken: float, when: float):
        with days_ago(taken):
            services.batch_take(actor=self.moderator, batch=batch)
        with days_ago(when):
            services.batch_set_outcome(
                actor=self.moderator, batch=batch, outcome=outcome, comments=comments
            )
        return batch


def _story(centre_number: str, admin_email: str, pdf: bytes) -> Story:
    centre = Centre.objects.get(number=centre_number)
    qualification = Qualification.objects.get(code=BATCH_QUALIFICATION[0])
    learners = list(
        Learner.objects.filter(
            centre=centre,
            registrations__qualification=qualification,
            registrations__is_current=True,
        ).order_by("membership_number")
    )
    return Story(
        centre=centre,
        qualification=qualification,
        admin=User.objects.get(email=admin_email),
        moderator=User.objects.get(email="moderator@demo.test"),
        staff=User.objects.get(email="staff@demo.test"),
        learners=learners,
        pdf=pdf,
    )


FIRST_SIX = ["CMI501", "CMI502", "CMI503", "CMI504", "CMI505", "CMI506"]  # 34 credits


def days_back_to_due_in(working_days: int, *, clock: int = 10) -> int:
    """How many days ago a batch became Complete for its ``clock``-working-day dispatch to be
    due ``working_days`` from today (bank holidays counted as the services count them)."""
    today = timezone.localdate()
    target = add_working_days(today, working_days)
    back = 1
    while add_working_days(today - timedelta(days=back), clock) > target:
        back += 1
    return back


def seed_batches(*, on_complete: Callable[[Story, Batch, str, float], None]) -> dict[str, Batch]:
    """Northgate's batches in every status, Riverside's due soon, late and deleted, Eastfield's.

    ``on_complete(story, batch, name, done)`` runs just after each Complete outcome (the
    certificates' demo issues, prints and posts there). Returns the batches by name.
    """
    pdf = demo_pdf("Demo evidence")
    north = _story("10001", "admin@demo.test", pdf)
    ln = north.learner
    award = ln(0)  # passes six units first, then CMI507 completes the diploma (R-CRT-2)

    def complete(story, name, picks, *, when, taken, done, comments="Well evidenced."):
        batch = story.submitted(picks, when=when)
        story.moderated(batch, S.COMPLETE, comments, taken=taken, when=done)
        on_complete(story, batch, name, done)
        story.batches[name] = batch

    # Complete 45 days ago: its certificates were printed and posted (certificates.demo).
    complete(
        north,
        "posted",
        [(ln(1), "CMI501"), (ln(2), "CMI501"), (ln(2), "CMI502")],
        when=62,
        taken=55,
        done=45,
    )
    # Complete with its dispatch due tomorrow (at risk): the award learner's six units; the
    # run is printed, not posted yet.
    at_risk = days_back_to_due_in(1)
    complete(
        north,
        "printed",
        [(award, code) for code in FIRST_SIX] + [(ln(3), "CMI503")],
        when=at_risk + 20,
        taken=at_risk + 11,
        done=at_risk,
    )
    # With Moderator, overdue: submitted 31 days ago, still in the queue (R-SLA-1).
    north.batches["overdue"] = north.submitted([(ln(4), "CMI509"), (ln(5), "CMI509")], when=31)
    # With Moderator, the moderator's own: CMI507 completes the award learner's diploma.
    batch = north.submitted([(award, "CMI507"), (ln(7), "CMI508")], when=6)
    with days_ago(4):
        services.batch_take(actor=north.moderator, batch=batch)
    north.batches["with_moderator"] = batch
    # Returned for editing 8 days ago.
    north.batches["returned"] = north.moderated(
        north.submitted([(ln(8), "CMI510")], when=20),
        S.RETURNED,
        "The assessment brief is for another unit; upload the brief for CMI510 and resubmit.",
        taken=15,
        when=8,
    )
    # Insufficient sample 6 days ago.
    north.batches["insufficient"] = north.moderated(
        north.submitted([(ln(9), "CMI511"), (ln(10), "CMI511")], when=16),
        S.INSUFFICIENT_SAMPLE,
        "The work for one learner does not show the assessment criteria; add more evidence.",
        taken=12,
        when=6,
    )
    # Returned 14 days ago, Centre re-submitted 3 days ago: the clock restarted.
    batch = north.moderated(
        north.submitted([(ln(11), "CMI512")], when=25),
        S.RETURNED,
        "Add the signed IV feedback for this unit.",
        taken=22,
        when=14,
    )
    with days_ago(3):
        services.batch_set_documents(
            actor=north.admin, batch=batch, iv_feedback=north.upload("iv-feedback-signed.pdf")
        )
        services.batch_resubmit(actor=north.admin, batch=batch)
    north.batches["resubmitted"] = batch
    # Centre Completing 2 days ago, half of the sample uploaded.
    with days_ago(2):
        batch = north.draft([(ln(12), "CMI505"), (ln(13), "CMI505")])
        services.batch_submit_units(actor=north.admin, batch=batch)
        north.upload_sample(batch, limit=1)
    north.batches["completing"] = batch
    # Not yet submitted: documents in, one unit ticked yesterday.
    with days_ago(1):
        north.batches["draft"] = north.draft([(ln(14), "CMI506")])

    # Riverside: Complete 20 days ago and never printed, so its dispatch is late (R-SLA-2);
    # one due in two days; one the awarding body deleted at the centre's request.
    river = _story("10002", "other@demo.test", pdf)
    complete(river, "late", [(river.learner(2), "CMI504")], when=40, taken=30, done=20)
    river.batches["due_soon"] = river.submitted([(river.learner(0), "CMI501")], when=26)
    batch = river.submitted([(river.learner(1), "CMI502")], when=12)
    with days_ago(11):
        services.batch_request_deletion(
            actor=river.admin, batch=batch, reason="Sent for the wrong cohort; we will resend."
        )
    with days_ago(9):
        services.batch_admin_delete(actor=river.staff, batch=batch)
    river.batches["deleted"] = batch

    # Eastfield takes certificates digitally: one learner completes the diploma at once.
    east = _story("10003", "director@demo.test", pdf)
    complete(
        east,
        "digital",
        [(east.learner(0), code) for code in FIRST_SIX + ["CMI507"]]
        + [(east.learner(1), "CMI501")],
        when=24,
        taken=17,
        done=12,
    )

    # The SLA is four weeks from the (moved) start, as the transition set it (R-SLA-1).
    Batch.objects.filter(
        centre__in=[north.centre, river.centre, east.centre],
        status__in=[S.WITH_MODERATOR, S.RESUBMITTED],
        sla_extended_at__isnull=True,
    ).update(sla_due_at=F("sla_started_at") + timedelta(days=SLA_DAYS))
    return (
        north.batches
        | {f"riverside_{k}": v for k, v in river.batches.items()}
        | {f"eastfield_{k}": v for k, v in east.batches.items()}
    )
