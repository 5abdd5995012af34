"""CSV exports, streamed in chunks so a large claim never sits whole in memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, islice

from django.db import connection
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone

from centres.models import Learner, Registration, Unit
from hub.prepared import Prepared

from .models import OUTCOME_CHOICES, CentreAssessor, Claim, ClaimLine, ClaimStatus, Grade
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


def _written(rows: Iterable[Iterable]) -> str:
    """``rows`` as csv.writer writes them (the default dialect: QUOTE_MINIMAL, \\r\\n)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _rows_text(batch: list) -> str:
    """``batch`` as csv.writer writes it, each text that could start a formula prefixed."""
    search, join = _MAY_START_FORMULA.search, _CELL.join
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
            return _LINE_END.join(lines)
    return _written(batch)


def _csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header at once (before any row is read), then ROWS_PER_CHUNK rows at a time."""
    yield _written([header])
    rows = iter(rows)
    while batch := list(islice(rows, ROWS_PER_CHUNK)):
        yield _rows_text(batch)


def stream_csv(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    return _streamed(filename, _csv_chunks(header, rows))


def _streamed(filename: str, chunks: Iterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
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


_CLAIM_HEADER_CELLS = [
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
]
_CLAIM_HEADER = _written([_CLAIM_HEADER_CELLS])

# A claim's lines as the export lists them, cell by cell (labels worked out by the database),
# compiled once per process (hub.prepared). The export reads each line as one text
# (_claim_lines_sql); these are for a window of lines whose texts cannot be split back into
# their cells, because a cell holds the separator itself.
_claim_line_cells = Prepared(
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
    window=True,
)
# The cells of a line's text (_claim_lines_sql), the claim's own two not among them.
_LINE_CELLS = 12


def _label_sql(column: str, choices, name: str, *, blank: bool = False) -> tuple[str, dict]:
    """``column``'s label for its value as ``_labelled`` gives it, in SQL, and its
    parameters (named after ``name``)."""
    whens = ["WHEN {column} = '' THEN ''"] if blank else []
    params = {}
    for i, (value, label) in enumerate(choices):
        params[f"{name}_{i}"], params[f"{name}_{i}_label"] = value, label
        whens.append(f"WHEN {{column}} = %({name}_{i})s THEN %({name}_{i}_label)s")
    return f"CASE {' '.join(whens)} ELSE {{column}} END".format(column=column), params


@lru_cache(maxsize=2)
def _claim_lines_sql(vendor: str) -> tuple[str, dict]:
    """A claim's lines, each as one text, its cells joined by the parameter ``sep``, in the
    export's order; and the statement's parameters but ``claim`` and ``sep``.

    The database joins the cells: 600 lines came to Python as 7,200 values, each made a
    string by psycopg and joined again for the CSV; now 600 texts, which with commas for
    separators are the CSV's lines when no cell needs quoting or a formula guard (Python
    1.7 -> 1.2 ms a view of a 600-line claim in one process). PostgreSQL sorts a text and
    its keys, not 12 cells with the keys behind them, which it walked to reach each key
    (with the learners below, 2.3 -> 1.6 ms of its CPU a view, bench/pg_cost.py).
    """
    tables = {
        "line": ClaimLine._meta.db_table,
        "registration": Registration._meta.db_table,
        "learner": Learner._meta.db_table,
        "unit": Unit._meta.db_table,
        "assessor": CentreAssessor._meta.db_table,
    }
    grade, grade_params = _label_sql("cl.grade", Grade.choices, "grade")
    outcome, outcome_params = _label_sql("cl.outcome", OUTCOME_CHOICES, "outcome", blank=True)
    cells = [
        "g.membership_number",
        "g.candidate_number",
        "g.last_name",
        "g.first_name",
        "u.code",
        "u.title",
        grade,
        "a.initials",
        "a.name",
        "cl.other_awarding_body",
        "CASE WHEN cl.sampled THEN 'yes' ELSE '' END",
        outcome,
    ]
    learner = (
        "SELECT r.id AS registration_id, l.membership_number, l.candidate_number, l.last_name,"
        " l.first_name FROM {registration} r JOIN {learner} l ON l.id = r.learner_id"
    )
    if vendor == "postgresql":
        # Each candidate's learner is looked up once, not once a line: PostgreSQL memoizes
        # a lateral subquery by its registration (OFFSET 0 keeps it one; joined plainly,
        # the learner was read for every line): 0.85 -> 0.58 ms for 600 lines.
        learners = f"CROSS JOIN LATERAL ({learner} WHERE r.id = cl.registration_id OFFSET 0) g"
    else:
        learners = f"JOIN ({learner}) g ON g.registration_id = cl.registration_id"
    sql = (
        f"SELECT {' || %(sep)s || '.join(cells)}"
        f" FROM {{line}} cl {learners}"
        " JOIN {unit} u ON u.id = cl.unit_id JOIN {assessor} a ON a.id = cl.assessor_id"
        " WHERE cl.claim_id = %(claim)s"
        " ORDER BY g.last_name, cl.registration_id, u.code"
    )
    return sql.format(**tables), {**grade_params, **outcome_params}


def _claim_line_texts(claim_id: int, chunk_size: int) -> Iterator[list[str]]:
    """The claim's lines as texts (_claim_lines_sql), ``chunk_size`` at a time, as
    hub.prepared's ``stream`` reads: one plain statement (prepared once per connection)
    when they fit, else again through a server-side cursor on PostgreSQL."""
    sql, params = _claim_lines_sql(connection.vendor)
    params = {**params, "claim": claim_id, "sep": _CELL}
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %(limit)s", {**params, "limit": chunk_size + 1})
        first = cursor.fetchall()
    if len(first) <= chunk_size:
        if first:
            yield [line for (line,) in first]
        return
    del first
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield [line for (line,) in chunk]
            if len(chunk) < chunk_size:  # the last: no round trip to hear so
                break
    finally:
        cursor.close()


def _claim_chunks(claim_id: int, claim_columns: tuple[str, str]) -> Iterator[str]:
    """The header at once (before any line is read), then ROWS_PER_CHUNK lines at a time."""
    yield _CLAIM_HEADER
    start = 0
    for texts in _claim_line_texts(claim_id, FETCH_CHUNK):
        for at in range(0, len(texts), ROWS_PER_CHUNK):
            batch = texts[at : at + ROWS_PER_CHUNK]
            yield _claim_lines_text(claim_id, claim_columns, batch, start)
            start += len(batch)


def _claim_lines_text(
    claim_id: int, claim_columns: tuple[str, str], batch: list[str], start: int
) -> str:
    """The CSV of ``batch``, the texts of the claim's lines from ``start`` on."""
    prefix = _CELL.join(claim_columns) + _CELL
    # Every cell of the chunk, the claim's own first, each after a separator.
    cells = _CELL + prefix + _CELL.join(batch)
    if cells.count(_CELL) != len(claim_columns) + _LINE_CELLS * len(batch):
        # A cell holds the separator itself: these lines are read again cell by cell.
        rows = _claim_line_cells.rows(claim_id, limit=len(batch), offset=start)
    elif _MAY_START_FORMULA.search(cells) or any(character in cells for character in _QUOTED):
        # A cell to quote or guard: the writer's way, cell by cell.
        rows = [text.split(_CELL) for text in batch]
    else:
        # The CSV's lines are the texts, commas for separators, each after the claim's
        # cells and ended by \r\n, as csv.writer writes cells none of which it quotes.
        return (prefix + (_LINE_END + prefix).join(batch) + _LINE_END).replace(_CELL, _COMMA)
    return _rows_text([(*claim_columns, *row) for row in rows])


def claim_lines_csv(claim: Claim) -> StreamingHttpResponse:
    """Every line of the claim, a row each, read in chunks as the response is sent."""
    pk, number = claim.pk, claim.number
    claim_columns = (number or "", claim.qualification.code)
    name = number or f"unsubmitted-{pk}"
    return _streamed(f"claim-{name}.csv", _claim_chunks(pk, claim_columns))


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
