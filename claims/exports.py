"""CSV exports, streamed in chunks so a large claim never sits whole in memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone

from hub.prepared import Prepared

from .models import OUTCOME_CHOICES, Claim, ClaimLine, ClaimStatus, Grade
from .selectors import line_count_subquery

# A cell a spreadsheet would run as a formula is prefixed so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Whether any cell may start a formula, in one search of the cells joined by a separator:
# cells that do not match have none (the check per cell was most of a 600-line export's
# CPU); a match (a cell starting so, one with the separator in it, a negative number) is
# looked at cell by cell. The text searched starts with the separator too, so the pattern
# begins with a literal character the regex engine skips to (an alternation with ^ in front
# was tried at every position: 0.36 against 0.05 ms for 500 rows of a claim).
_CELL = "\x1f"
_MAY_START_FORMULA = re.compile(f"{_CELL}[{re.escape(''.join(FORMULA_STARTS))}]")

# A cell holding one of these is quoted by csv.writer (its delimiter, quote character and
# line terminator, the default dialect's QUOTE_MINIMAL); one without is written as it is.
_QUOTED = (",", '"', "\r", "\n")
_COMMA, _LINE_END = ",", "\r\n"

# Rows written per chunk sent: one chunk per row would mean a write (and, behind a proxy,
# a packet) per row; the whole file at once would hold it all in memory. As many as a fetch
# brings (FETCH_CHUNK), so a claim that fits in one read is one write (~170 KB at most).
ROWS_PER_CHUNK = 2000
# Rows fetched per round trip; on PostgreSQL a server-side cursor, so memory stays flat.
FETCH_CHUNK = 2000


def _defused(row: Iterable) -> list:
    """The row with each text that could start a formula prefixed so it stays text. Only
    text can: csv writes None as "" and numbers by str() itself, so nothing else is touched."""
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
        for value in row
    ]


def _csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header at once (before any row is read), then ROWS_PER_CHUNK rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield take()
    search, join = _MAY_START_FORMULA.search, _CELL.join
    rows = iter(rows)
    while batch := list(islice(rows, ROWS_PER_CHUNK)):
        # One search over the whole chunk's cells; only if it finds something, row by row.
        # Cells all text (every cell of a claim's lines) are joined as they are: str() per
        # cell was 0.18 of 0.24 ms a 500-row chunk; numbers or None are made text first.
        try:
            cells = join(chain.from_iterable(batch))
            text = True
        except TypeError:
            cells = join(map(str, chain.from_iterable(batch)))
            text = False
        if search(_CELL + cells):
            batch = [_defused(row) if search(_CELL + join(map(str, row))) else row for row in batch]
        if text and not any(character in cells for character in _QUOTED):
            # No cell to quote (the prefix _defused adds is none of them): the writer's
            # lines are the cells joined by commas, each ended by \r\n, but for a row of
            # one empty cell (written "") or none, which go to the writer. The writer
            # looked at every character, 0.62 ms for a 600-line claim; this is 0.15.
            lines = list(map(_COMMA.join, batch))
            if "" not in lines:
                lines.append("")
                yield _LINE_END.join(lines)
                continue
        writer.writerows(batch)
        yield take()


def stream_csv(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _date(value, tz) -> str:
    """dd/mm/yyyy hh:mm in ``tz``; built by hand, strftime was most of a large export."""
    if value is None:
        return ""
    v = value.astimezone(tz)
    return f"{v.day:02d}/{v.month:02d}/{v.year} {v.hour:02d}:{v.minute:02d}"


def _labelled(field: str, choices, *, blank: str | None = None) -> Case:
    """``field``'s label for its value, as get_FOO_display gives it, worked out by the
    database (an unknown value as it is; ``blank`` for an empty one when given)."""
    whens = [When(**{field: ""}, then=Value(blank))] if blank is not None else []
    whens += [When(**{field: value}, then=Value(label)) for value, label in choices]
    return Case(*whens, default=F(field), output_field=CharField())


# A claim's lines as the export lists them, each cell as written (labels worked out by the
# database, so no Python per cell), compiled once per process (hub.prepared) and read
# through a server-side cursor on PostgreSQL as the response is sent.
_claim_lines = Prepared(
    lambda claim_id: (
        ClaimLine.objects.filter(claim_id=claim_id)
        .order_by("registration__learner__last_name", "registration_id", "unit__code")
        .annotate(
            grade_label=_labelled("grade", Grade.choices),
            sampled_label=Case(
                When(sampled=True, then=Value("yes")),
                default=Value(""),
                output_field=CharField(),
            ),
            outcome_label=_labelled("outcome", OUTCOME_CHOICES, blank=""),
        )
        .values_list(
            "registration__learner__membership_number",
            "registration__learner__candidate_number",
            "registration__learner__last_name",
            "registration__learner__first_name",
            "unit__code",
            "unit__title",
            "grade_label",
            "assessor__initials",
            "assessor__name",
            "other_awarding_body",
            "sampled_label",
            "outcome_label",
        )
    ),
    "int",
)


def claim_lines_csv(claim: Claim) -> StreamingHttpResponse:
    """Every line of the claim, a row each, read in chunks as the response is sent."""
    pk, number = claim.pk, claim.number
    claim_columns = (number or "", claim.qualification.code)
    rows = map(claim_columns.__add__, _claim_lines.stream(pk, chunk_size=FETCH_CHUNK))
    name = number or f"unsubmitted-{pk}"
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


def history_csv(claims: QuerySet[Claim]) -> StreamingHttpResponse:
    """The claims as the history lists them, a row each, read in chunks as sent."""
    if "line_count" not in claims.query.annotations:
        claims = claims.annotate(line_count=Coalesce(line_count_subquery(), 0))
    statuses = dict(ClaimStatus.choices)
    tz = timezone.get_current_timezone()
    values = claims.values_list(
        "number",
        "qualification__code",
        "qualification__title",
        "status",
        "line_count",
        "created_at",
        "submitted_at",
        "processed_at",
        "reference",
    ).iterator(chunk_size=FETCH_CHUNK)
    rows = (
        (
            number or "",
            code,
            title,
            statuses.get(status, status),
            line_count,
            _date(created, tz),
            _date(submitted, tz),
            _date(processed, tz),
            reference or "",
        )
        for number, code, title, status, line_count, created, submitted, processed, reference in (
            values
        )
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
