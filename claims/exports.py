"""CSV exports, streamed row by row so a large claim never sits whole in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Claim

# A cell a spreadsheet would run as a formula is prefixed so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def stream_csv(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def generate():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def claim_lines_csv(claim: Claim) -> StreamingHttpResponse:
    lines = (
        claim.lines.select_related("registration__learner", "unit", "assessor")
        .order_by("registration__learner__last_name", "registration_id", "unit__code")
        .iterator(chunk_size=1000)
    )
    rows = (
        (
            claim.number or "",
            claim.qualification.code,
            line.registration.learner.membership_number,
            line.registration.learner.candidate_number,
            line.registration.learner.last_name,
            line.registration.learner.first_name,
            line.unit.code,
            line.unit.title,
            line.get_grade_display(),
            line.assessor.initials,
            line.assessor.name,
            line.other_awarding_body,
            "yes" if line.sampled else "",
            line.get_outcome_display() if line.outcome else "",
        )
        for line in lines
    )
    name = claim.number or f"unsubmitted-{claim.pk}"
    return stream_csv(
        f"claim-{name}.csv",
        [
            "Claim number",
            "Entry code",
            "Membership number",
            "Candidate number",
            "Surname",
            "First name",
            "Unit",
            "Unit title",
            "Grade claimed",
            "Centre assessor initials",
            "Centre assessor",
            "Another awarding body",
            "Sampled",
            "Agreed outcome",
        ],
        rows,
    )


def history_csv(claims) -> StreamingHttpResponse:
    rows = (
        (
            claim.number or "",
            claim.qualification.code,
            claim.qualification.title,
            claim.get_status_display(),
            claim.line_count,
            _date(claim.created_at),
            _date(claim.submitted_at),
            _date(claim.processed_at),
            claim.reference or "",
        )
        for claim in claims.iterator(chunk_size=1000)
    )
    return stream_csv(
        "claim-history.csv",
        [
            "Claim number",
            "Entry code",
            "Qualification",
            "Status",
            "Units claimed",
            "Created",
            "Submitted",
            "Processed",
            "Reference",
        ],
        rows,
    )
