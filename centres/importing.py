"""Register learners on qualifications from a CSV file (the Customer Data Administrator's import).

One row is one registration. The whole file is checked before anything is written: any bad
row refuses the whole import, with every problem listed by line, so a file is either in the
hub completely or not at all. The checks and the writes take a fixed number of queries
whatever the number of rows (bulk reads by set, bulk writes).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import filetype
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub import outbox

from .audit import audit
from .models import (
    Approval,
    Centre,
    EntryType,
    ImportJob,
    Learner,
    Qualification,
    QualificationUnit,
    Registration,
    Unit,
    membership_number_validator,
)

COLUMNS = (
    "centre_number",
    "membership_number",
    "candidate_number",
    "first_name",
    "last_name",
    "date_of_birth",
    "qualification_code",
    "current",
    "entry_type",
    "units",
)
# What a learner row must repeat identically on each of that learner's registrations.
PERSONAL_COLUMNS = (
    "centre_number",
    "candidate_number",
    "first_name",
    "last_name",
    "date_of_birth",
)
EXAMPLE_ROWS = (
    ("20001", "P1234567", "0001", "Amira", "Okafor", "2004-03-21", "Q0001", "yes", "full", ""),
    ("20001", "P1234568", "", "Tom", "Beck", "17/11/2003", "Q0001", "yes", "unit", "U0002;U0003"),
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
BOOLEANS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
UNIT_SEPARATOR = ";"
SAVE_AS_CSV = 'In Excel choose File > Save As > "CSV UTF-8 (Comma delimited) (*.csv)".'
# Learner fields an import may change; the centre never moves (a learner of another centre
# is refused on its line instead).
LEARNER_UPDATE_FIELDS = ("candidate_number", "first_name", "last_name", "date_of_birth")
# Rows per bulk write, and values per "IN (...)" lookup (SQLite allows 999 variables).
WRITE_BATCH = 2000
LOOKUP_CHUNK = 900
# How often a running import tells its page how far it got.
PROGRESS_EVERY = 2000
_ENTRY_TYPES = frozenset(EntryType.values)
_MAX_LENGTHS = {
    name: Learner._meta.get_field(name).max_length
    for name in ("candidate_number", "first_name", "last_name")
}


log = logging.getLogger(__name__)

Progress = Callable[[int], None]


def _chunks(values, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class ImportFileError(Exception):
    """The file as a whole cannot be read as a learner CSV; nothing is imported."""


@dataclass(frozen=True, order=True)
class LineError:
    line: int
    message: str


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (``file_error`` or ``errors``)."""

    file_error: str = ""
    errors: list[LineError] = field(default_factory=list)
    rows: int = 0
    learners_created: int = 0
    learners_updated: int = 0
    learners_unchanged: int = 0
    registrations_created: int = 0
    registrations_updated: int = 0
    registrations_unchanged: int = 0
    # The one centre every row was for, if there was one.
    centre: Centre | None = None

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "learners_created": self.learners_created,
            "learners_updated": self.learners_updated,
            "learners_unchanged": self.learners_unchanged,
            "registrations_created": self.registrations_created,
            "registrations_updated": self.registrations_updated,
            "registrations_unchanged": self.registrations_unchanged,
        }


@dataclass
class _Row:
    """One data row; a field that failed its check is None (its error is already recorded)."""

    line: int
    centre_number: str
    membership_number: str | None
    candidate_number: str | None
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None
    qualification_code: str
    is_current: bool | None
    entry_type: str | None
    unit_codes: tuple[str, ...] | None

    def personal(self) -> tuple:
        return tuple(getattr(self, name) for name in PERSONAL_COLUMNS)


def example_csv_lines() -> Iterator[str]:
    """Yield the example file line by line, with the BOM Excel needs to read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff"
    for values in (COLUMNS, *EXAMPLE_ROWS):
        writer.writerow(values)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def learners_import(*, actor, file, progress: Progress | None = None) -> ImportResult:
    """Check every row of ``file``, then register all of them, or none if any row is wrong.

    Existing learners (same membership number, same centre) get their personal details
    updated; existing registrations their current flag, entry type and units. One audit
    row records the import with its counts. ``progress`` is called with the number of rows
    checked so far, every few thousand rows.
    """
    progress = progress or (lambda done: None)
    try:
        rows, errors = _read_rows(file, progress)
    except ImportFileError as exc:
        return ImportResult(file_error=str(exc))
    if not rows and not errors:
        return ImportResult(file_error="The file has a header row but no learners.")
    try:
        # The checks read inside the transaction that writes, so what they approved is
        # what gets written (rows are locked where the database can lock them).
        with transaction.atomic():
            plan = _Plan(rows, errors)
            if errors:
                return ImportResult(errors=sorted(errors), rows=len(rows))
            result = plan.write()
            result.centre = plan.only_centre()
            audit(
                actor=actor,
                action="centres.learner_import",
                subject=f"Learner import {getattr(file, 'name', '')}".strip(),
                centre=plan.only_centre(),
                file=getattr(file, "name", ""),
                centres=sorted(plan.centres),
                **result.counts(),
            )
            return result
    except IntegrityError:
        # Someone registered one of these learners between our checks and our writes.
        return ImportResult(
            file_error="These learners were changed by someone else while the file was being "
            "imported. Nothing was saved; upload the file again."
        )


def _check_file(file) -> None:
    """Refuse a file that is too big, empty, not text or not UTF-8 before reading its rows."""
    limit_mb = settings.HUB_MAX_IMPORT_MB
    if file.size > limit_mb * 1024 * 1024:
        raise ImportFileError(
            f"The file is {file.size / (1024 * 1024):.1f} MB; the largest file accepted is "
            f"{limit_mb} MB. Split it into smaller files."
        )
    if file.size == 0:
        raise ImportFileError("The file is empty.")
    file.seek(0)
    head = file.read(512)
    kind = filetype.guess(head)
    file.seek(0)
    if kind is not None:
        raise ImportFileError(
            f"This is a {kind.extension.upper()} file ({kind.mime}), not a CSV file. {SAVE_AS_CSV}"
        )
    if _looks_like_utf16(head):
        raise ImportFileError(
            'The file is not UTF-8 text: it is saved as UTF-16 (Excel\'s "Unicode Text"), '
            f"which the hub cannot read. Save the file as CSV UTF-8. {SAVE_AS_CSV}"
        )


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 with or without its byte order mark.

    Without the mark, UTF-8 decoding of a UTF-16 file "succeeds" (ASCII letters come out
    with a NUL byte between them), so the header then looks like unknown columns. Text in
    UTF-16 has a NUL in every other byte; a CSV in UTF-8 has none.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    pairs = len(head) // 2
    if pairs < 2:
        return False
    odd_nuls = head[1::2].count(0)
    even_nuls = head[0::2].count(0)
    return max(odd_nuls, even_nuls) >= pairs * 0.4 and min(odd_nuls, even_nuls) == 0


def _read_rows(file, progress: Progress) -> tuple[list[_Row], list[LineError]]:
    """Parse the upload as a stream; raise ImportFileError when it is not a learner CSV."""
    return _read(file, lambda reader: _parse(reader, progress))


def count_rows(file) -> int:
    """Check what can be checked without the database, quickly; return the number of rows.

    The upload page runs this so a file that is not a learner CSV at all (wrong type,
    encoding or columns, no rows) is refused on the form at once, and the job page knows
    how many rows to count up to. Raise ImportFileError with what is wrong.
    """

    def count(reader) -> int:
        _header(reader)
        return sum(1 for values in reader if any(value.strip() for value in values))

    total = _read(file, count)
    if not total:
        raise ImportFileError("The file has a header row but no learners.")
    return total


def _read(file, parse):
    _check_file(file)
    # utf-8-sig drops the byte order mark Excel's "CSV UTF-8" writes at the start.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        return parse(reader)
    except UnicodeDecodeError:
        pass
    except csv.Error as exc:
        raise ImportFileError(
            f"Line {reader.line_num} cannot be read as CSV ({exc}). {SAVE_AS_CSV}"
        ) from None
    finally:
        # Leave the upload open: closing the wrapper would close the caller's file.
        text.detach()
    raise ImportFileError(
        f"The file is not UTF-8 text: line {_first_undecodable_line(file)} is written in another "
        f"encoding. {SAVE_AS_CSV}"
    )


def _first_undecodable_line(file) -> int:
    """The number of the first line that is not UTF-8.

    The text wrapper decodes ahead in blocks, so its error does not say which line is wrong;
    a second pass line by line does, and only runs for a file that is refused anyway.
    """
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    number = 0
    for number, line in enumerate(file, start=1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError:
            return number
    return max(number, 1)


def _header(reader) -> list[str]:
    """The column names of the first line that is not blank."""
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise ImportFileError("The file is empty.")
    return _check_header(header)


def _parse(reader, progress: Progress) -> tuple[list[_Row], list[LineError]]:
    names = _header(reader)
    today = timezone.localdate()
    rows: list[_Row] = []
    errors: list[LineError] = []
    first_seen: dict[str, _Row] = {}
    registered: dict[tuple[str, str], int] = {}
    for line, values in enumerate(reader, start=reader.line_num + 1):
        if not any(value.strip() for value in values):
            continue
        if any("\x00" in value for value in values):
            raise ImportFileError(f"Line {line} holds binary data; this is not a text file.")
        if len(values) > len(names):
            errors.append(
                LineError(line, f"The line has {len(values)} cells; the header has {len(names)}.")
            )
            continue
        cells = dict(zip(names, values, strict=False))
        row_errors: list[str] = []
        row = _parse_row(
            line, {name: cells.get(name, "").strip() for name in names}, row_errors, today
        )
        errors.extend(LineError(line, message) for message in row_errors)
        rows.append(row)
        if len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
        number = row.membership_number
        if number is None:
            continue
        # A learner on several rows must be the same person on each.
        earlier = first_seen.setdefault(number, row)
        if earlier is not row:
            differing = [
                name
                for name, mine, theirs in zip(
                    PERSONAL_COLUMNS, row.personal(), earlier.personal(), strict=True
                )
                if mine is not None and theirs is not None and mine != theirs
            ]
            if differing:
                errors.append(
                    LineError(
                        line,
                        f"{number} has different {', '.join(differing)} on line {earlier.line}; "
                        "a learner's details must be the same on every row.",
                    )
                )
        if row.qualification_code:
            key = (number, row.qualification_code)
            if key in registered:
                errors.append(
                    LineError(
                        line,
                        f"{number} is already registered on {row.qualification_code} on line "
                        f"{registered[key]}; give each registration one row.",
                    )
                )
            else:
                registered[key] = line
    return rows, errors


def _check_header(header: list[str]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    problems = []
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.append(f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.")
    unknown = [name or f"(column {i} has no name)" for i, name in enumerate(names, 1)]
    unknown = [label for label, name in zip(unknown, names, strict=True) if name not in COLUMNS]
    if unknown:
        problems.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            "remove them from the file."
        )
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        problems.append(
            f"Column{'s' if len(repeated) > 1 else ''} given twice: {', '.join(repeated)}."
        )
    if problems:
        raise ImportFileError(
            " ".join(problems) + f" The header row (line 1) must name these columns, in any "
            f"order: {', '.join(COLUMNS)}."
        )
    return names


def _parse_row(line: int, cells: dict[str, str], errors: list[str], today: date) -> _Row:
    return _Row(
        line=line,
        centre_number=_required(cells, "centre_number", errors) or "",
        membership_number=_membership_number(cells["membership_number"], errors),
        candidate_number=_text(cells, "candidate_number", errors, required=False),
        first_name=_text(cells, "first_name", errors),
        last_name=_text(cells, "last_name", errors),
        date_of_birth=_date_of_birth(cells["date_of_birth"], errors, today),
        qualification_code=_required(cells, "qualification_code", errors) or "",
        is_current=_current(cells["current"], errors),
        entry_type=_entry_type(cells["entry_type"], errors),
        unit_codes=_unit_codes(cells["entry_type"], cells["units"], errors),
    )


def _required(cells: dict[str, str], name: str, errors: list[str]) -> str | None:
    if not cells[name]:
        errors.append(f"{name} is empty.")
        return None
    return cells[name]


def _text(cells: dict[str, str], name: str, errors: list[str], required=True) -> str | None:
    value = cells[name]
    if required and not value:
        errors.append(f"{name} is empty.")
        return None
    if len(value) > _MAX_LENGTHS[name]:
        errors.append(f"{name} is longer than {_MAX_LENGTHS[name]} characters.")
        return None
    return value


def _membership_number(value: str, errors: list[str]) -> str | None:
    if not value:
        errors.append("membership_number is empty.")
        return None
    try:
        membership_number_validator(value)
    except ValidationError as exc:
        errors.append(f"membership_number “{value}”: {exc.messages[0]}")
        return None
    return value


@lru_cache(maxsize=8192)
def _as_date(value: str) -> date | None:
    # Cached: strptime is the slowest step of a row, and a file's birthdays repeat a lot.
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _date_of_birth(value: str, errors: list[str], today: date) -> date | None:
    if not value:
        errors.append("date_of_birth is empty.")
        return None
    born = _as_date(value)
    if born is not None:
        if born >= today:
            errors.append(f"date_of_birth “{value}” is not in the past.")
            return None
        return born
    errors.append(f"date_of_birth “{value}” is not a date written YYYY-MM-DD or DD/MM/YYYY.")
    return None


def _current(value: str, errors: list[str]) -> bool | None:
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        errors.append(f"current “{value}” must be yes or no (or true/false, 1/0).")
        return None


def _entry_type(value: str, errors: list[str]) -> str | None:
    value = value.lower()
    if value not in _ENTRY_TYPES:
        errors.append(f"entry_type “{value}” must be full or unit.")
        return None
    return value


def _unit_codes(entry_type: str, value: str, errors: list[str]) -> tuple[str, ...] | None:
    codes = tuple(dict.fromkeys(c.strip() for c in value.split(UNIT_SEPARATOR) if c.strip()))
    entry_type = entry_type.lower()
    if entry_type == EntryType.FULL and codes:
        errors.append("A full award entry takes no units; leave units empty.")
        return None
    if entry_type == EntryType.UNIT and not codes:
        errors.append(
            f"A unit entry needs its unit codes in units, separated by “{UNIT_SEPARATOR}”."
        )
        return None
    return codes


def _locked(queryset):
    # Lock only the rows of this table; joined rows (the centre) stay free for others.
    return queryset.select_for_update(of=("self",))


class _Plan:
    """The rows checked against the database, and the writes they lead to."""

    def __init__(self, rows: list[_Row], errors: list[LineError]):
        self.rows = rows
        self.errors = errors
        centre_numbers = {r.centre_number for r in rows if r.centre_number}
        codes = {r.qualification_code for r in rows if r.qualification_code}
        unit_codes = {c for r in rows for c in r.unit_codes or ()}
        numbers = {r.membership_number for r in rows if r.membership_number}

        # Every lookup by a set of values goes in chunks: a large file names more learners
        # than one query may carry (SQLite's 999 variables).
        self.centres = {
            c.number: c
            for chunk in _chunks(centre_numbers)
            for c in Centre.objects.filter(number__in=chunk).only("pk", "number", "is_active")
        }
        self.qualifications = {
            q.code: q
            for chunk in _chunks(codes)
            for q in Qualification.objects.filter(code__in=chunk).only("pk", "code", "is_active")
        }
        qualification_ids = [q.pk for q in self.qualifications.values()]
        self.approved = {
            pair
            for chunk in _chunks(c.pk for c in self.centres.values())
            for pair in Approval.objects.filter(
                centre_id__in=chunk, qualification_id__in=qualification_ids
            ).values_list("centre_id", "qualification_id")
        }
        self.units = {
            code: pk
            for chunk in _chunks(unit_codes)
            for code, pk in Unit.objects.filter(code__in=chunk).values_list("code", "pk")
        }
        self.qualification_units = set(
            QualificationUnit.objects.filter(qualification_id__in=qualification_ids).values_list(
                "qualification_id", "unit_id"
            )
        )
        self.learners = {
            learner.membership_number: learner
            for chunk in _chunks(numbers)
            for learner in _locked(
                Learner.objects.filter(membership_number__in=chunk).select_related("centre")
            )
        }
        self.registrations = {
            (r.learner_id, r.qualification_id): r
            for chunk in _chunks(learner.pk for learner in self.learners.values())
            for r in _locked(
                Registration.objects.filter(
                    learner_id__in=chunk, qualification_id__in=qualification_ids
                )
            )
        }
        registration_ids = [r.pk for r in self.registrations.values()]
        self.entered: dict[int, set[int]] = {}
        for chunk in _chunks(registration_ids):
            for registration_id, unit_id in Registration.entered_units.through.objects.filter(
                registration_id__in=chunk
            ).values_list("registration_id", "unit_id"):
                self.entered.setdefault(registration_id, set()).add(unit_id)
        # R-PAR-5: a unit selected on the PAR must stay entered. par depends on centres, so
        # the model is looked up by name rather than imported.
        selections = apps.get_model("par", "UnitSelection").objects
        self.selected: dict[int, dict[int, str]] = {}
        for chunk in _chunks(registration_ids):
            for registration_id, unit_id, code in selections.filter(
                registration_id__in=chunk
            ).values_list("registration_id", "unit_id", "unit__code"):
                self.selected.setdefault(registration_id, {})[unit_id] = code
        for row in rows:
            self._check(row)

    def _error(self, row: _Row, message: str) -> None:
        self.errors.append(LineError(row.line, message))

    def _check(self, row: _Row) -> None:
        centre = self.centres.get(row.centre_number)
        qualification = self.qualifications.get(row.qualification_code)
        if row.centre_number and centre is None:
            self._error(row, f"Centre {row.centre_number} is not known.")
        elif centre is not None and not centre.is_active:
            self._error(row, f"Centre {centre.number} is closed.")
        if row.qualification_code and qualification is None:
            self._error(row, f"Qualification {row.qualification_code} is not known.")
        elif qualification is not None and not qualification.is_active:
            self._error(row, f"Qualification {qualification.code} is no longer offered.")
        if centre and qualification and (centre.pk, qualification.pk) not in self.approved:
            self._error(
                row,
                f"Centre {centre.number} is not approved for qualification {qualification.code}.",
            )
        for code in row.unit_codes or ():
            unit_id = self.units.get(code)
            if unit_id is None:
                self._error(row, f"Unit {code} is not known.")
            elif qualification and (qualification.pk, unit_id) not in self.qualification_units:
                self._error(
                    row, f"Unit {code} is not a unit of qualification {qualification.code}."
                )
        learner = self.learners.get(row.membership_number or "")
        if learner is None:
            return
        if centre is not None and learner.centre_id != centre.pk:
            self._error(
                row,
                f"{learner.membership_number} is a learner of centre {learner.centre.number}, "
                f"not {centre.number}.",
            )
            return
        registration = qualification and self.registrations.get((learner.pk, qualification.pk))
        if registration and row.entry_type == EntryType.UNIT and row.unit_codes is not None:
            selected = self.selected.get(registration.pk, {})
            kept = {self.units.get(code) for code in row.unit_codes}
            codes = sorted(code for unit_id, code in selected.items() if unit_id not in kept)
            if codes:
                self._error(
                    row,
                    f"{learner.membership_number} has unit{'s' if len(codes) > 1 else ''} "
                    f"{', '.join(codes)} selected on the PAR for {qualification.code}; "
                    "keep them in units.",
                )

    def only_centre(self) -> Centre | None:
        return next(iter(self.centres.values())) if len(self.centres) == 1 else None

    def write(self) -> ImportResult:
        result = ImportResult(rows=len(self.rows))
        self._write_learners(result)
        self._write_registrations(result)
        return result

    def _write_learners(self, result: ImportResult) -> None:
        new: dict[str, Learner] = {}
        changed: dict[str, Learner] = {}
        unchanged: set[str] = set()
        for row in self.rows:
            number = row.membership_number
            if number in new or number in changed or number in unchanged:
                continue
            learner = self.learners.get(number)
            if learner is None:
                new[number] = Learner(
                    membership_number=number,
                    candidate_number=row.candidate_number,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    date_of_birth=row.date_of_birth,
                    centre=self.centres[row.centre_number],
                )
                continue
            wanted = {
                "candidate_number": row.candidate_number or learner.candidate_number,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "date_of_birth": row.date_of_birth,
            }
            if any(getattr(learner, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(learner, name, value)
                changed[number] = learner
            else:
                unchanged.add(number)
        Learner.objects.bulk_create(new.values(), batch_size=WRITE_BATCH)
        Learner.objects.bulk_update(changed.values(), LEARNER_UPDATE_FIELDS, batch_size=WRITE_BATCH)
        self.learners.update(new)
        result.learners_created = len(new)
        result.learners_updated = len(changed)
        result.learners_unchanged = len(unchanged)

    def _write_registrations(self, result: ImportResult) -> None:
        new: list[tuple[Registration, set[int]]] = []
        changed: list[Registration] = []
        units_replaced: dict[int, set[int]] = {}
        for row in self.rows:
            learner = self.learners[row.membership_number]
            qualification = self.qualifications[row.qualification_code]
            units = {self.units[code] for code in row.unit_codes}
            registration = self.registrations.get((learner.pk, qualification.pk))
            if registration is None:
                registration = Registration(
                    learner=learner,
                    centre_id=learner.centre_id,
                    qualification=qualification,
                    is_current=row.is_current,
                    entry_type=row.entry_type,
                )
                new.append((registration, units))
                continue
            fields_differ = (registration.is_current, registration.entry_type) != (
                row.is_current,
                row.entry_type,
            )
            units_differ = self.entered.get(registration.pk, set()) != units
            if fields_differ:
                registration.is_current = row.is_current
                registration.entry_type = row.entry_type
                changed.append(registration)
            if units_differ:
                units_replaced[registration.pk] = units
            if fields_differ or units_differ:
                result.registrations_updated += 1
            else:
                result.registrations_unchanged += 1
        Registration.objects.bulk_create([r for r, _ in new], batch_size=WRITE_BATCH)
        Registration.objects.bulk_update(
            changed, ["is_current", "entry_type"], batch_size=WRITE_BATCH
        )
        entry_model = Registration.entered_units.through
        for chunk in _chunks(units_replaced):
            entry_model.objects.filter(registration_id__in=chunk).delete()
        units_replaced.update({r.pk: units for r, units in new if units})
        entry_model.objects.bulk_create(
            [
                entry_model(registration_id=registration_id, unit_id=unit_id)
                for registration_id, units in units_replaced.items()
                for unit_id in sorted(units)
            ],
            batch_size=WRITE_BATCH,
        )
        result.registrations_created = len(new)


# --- Imports run by a worker ------------------------------------------------------------
# A file of up to the size limit takes longer than a web server waits for a response, so
# the upload page stores the file and queues a job; a worker runs the same all-or-nothing
# import and the job page follows it.

OUTBOX_KIND = "centres.learner_import"


def _progress_key(job_id: int) -> str:
    return f"centres:learner-import:{job_id}:rows-done"


def job_rows_done(job: ImportJob) -> int:
    """How many rows a job has checked: its row once finished, the cache while it runs.

    The import writes in one transaction, which others cannot see into until it commits, so
    a running job reports its progress through the cache instead. A cache that is down only
    hides the progress.
    """
    if job.finished:
        return job.rows_done
    try:
        return min(int(cache.get(_progress_key(job.pk)) or 0), job.rows_total)
    except Exception:
        log.warning("Progress of learner import %s unavailable.", job.pk, exc_info=True)
        return job.rows_done


def learner_import_start(*, actor, file) -> ImportJob:
    """Check ``file`` is a learner CSV, store it and queue its import; return the job.

    Raise ImportFileError, with nothing stored, when the file as a whole cannot be imported.
    The job's task is sent once this transaction commits (hub.outbox), so a broker that is
    down delays the import rather than losing it.
    """
    rows_total = count_rows(file)
    file.seek(0)
    name = getattr(file, "name", "") or "learners.csv"
    with transaction.atomic():
        job = ImportJob(uploaded_by=actor, file_name=name[:255], rows_total=rows_total)
        job.file.save("learners.csv", file, save=False)
        job.save()
        outbox.enqueue(OUTBOX_KIND, job_id=job.pk)
    return job


def run_learner_import_job(*, job_id: int) -> None:
    """The outbox handler: run job ``job_id``'s import once, recording its outcome.

    The job row is locked and its outcome written in the import's own transaction, so a
    second delivery (a redelivered task, the sweep) waits, then finds it finished; a worker
    that dies mid-import leaves nothing written and the job to be run again.
    """
    updated = ImportJob.objects.filter(
        pk=job_id, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    ).update(status=ImportJob.Status.RUNNING)
    if not updated:
        return

    def progress(done: int) -> None:
        try:
            cache.set(_progress_key(job_id), done, timeout=60 * 60)
        except Exception:
            log.warning("Progress of learner import %s not recorded.", job_id, exc_info=True)

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("uploaded_by").get(pk=job_id)
        if job.finished:
            return
        with job.file.open("rb") as stored:
            # At most the size limit, so read whole; named as uploaded, for the audit row.
            file = ContentFile(stored.read(), name=job.file_name)
        result = learners_import(actor=job.uploaded_by, file=file, progress=progress)
        job.finished_at = timezone.now()
        if result.ok:
            job.status = ImportJob.Status.DONE
            job.counts = result.counts()
            job.rows_done = result.rows
            job.centre = result.centre
        else:
            job.status = ImportJob.Status.FAILED
            job.file_error = result.file_error
            job.errors = [[error.line, error.message] for error in result.errors]
            job.rows_done = job.rows_total
        job.save()
    # The file holds learners' personal details; once its outcome is recorded the hub has
    # no use for it (the learners are in the database, or the uploader fixes their copy).
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def learner_import_jobs_for(user):
    """The import jobs ``user`` may look at: their own; every job for the body's admins."""
    jobs = ImportJob.objects.all()
    return jobs if user.is_staff else jobs.filter(uploaded_by=user)


def job_result(job: ImportJob) -> ImportResult | None:
    """A finished job's outcome, as the import page has always shown it; None while it runs."""
    if not job.finished:
        return None
    return ImportResult(
        file_error=job.file_error,
        errors=[LineError(line, message) for line, message in job.errors],
        **job.counts,
    )
