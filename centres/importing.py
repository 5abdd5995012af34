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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import filetype
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit
from .models import (
    Approval,
    Centre,
    EntryType,
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
_MAX_LENGTHS = {
    name: Learner._meta.get_field(name).max_length
    for name in ("candidate_number", "first_name", "last_name")
}


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


def learners_import(*, actor, file) -> ImportResult:
    """Check every row of ``file``, then register all of them, or none if any row is wrong.

    Existing learners (same membership number, same centre) get their personal details
    updated; existing registrations their current flag, entry type and units. One audit
    row records the import with its counts.
    """
    try:
        rows, errors = _read_rows(file)
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


def _read_rows(file) -> tuple[list[_Row], list[LineError]]:
    """Parse the upload as a stream; raise ImportFileError when it is not a learner CSV."""
    limit_mb = settings.HUB_MAX_IMPORT_MB
    if file.size > limit_mb * 1024 * 1024:
        raise ImportFileError(
            f"The file is {file.size / (1024 * 1024):.1f} MB; the largest file accepted is "
            f"{limit_mb} MB. Split it into smaller files."
        )
    if file.size == 0:
        raise ImportFileError("The file is empty.")
    file.seek(0)
    kind = filetype.guess(file.read(512))
    file.seek(0)
    if kind is not None:
        raise ImportFileError(
            f"This is a {kind.extension.upper()} file ({kind.mime}), not a CSV file. {SAVE_AS_CSV}"
        )
    # utf-8-sig drops the byte order mark Excel's "CSV UTF-8" writes at the start.
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        return _parse(reader)
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


def _parse(reader) -> tuple[list[_Row], list[LineError]]:
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise ImportFileError("The file is empty.")
    names = _check_header(header)
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
        row = _parse_row(line, {name: cells.get(name, "").strip() for name in names}, row_errors)
        errors.extend(LineError(line, message) for message in row_errors)
        rows.append(row)
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


def _parse_row(line: int, cells: dict[str, str], errors: list[str]) -> _Row:
    return _Row(
        line=line,
        centre_number=_required(cells, "centre_number", errors) or "",
        membership_number=_membership_number(cells["membership_number"], errors),
        candidate_number=_text(cells, "candidate_number", errors, required=False),
        first_name=_text(cells, "first_name", errors),
        last_name=_text(cells, "last_name", errors),
        date_of_birth=_date_of_birth(cells["date_of_birth"], errors),
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


def _date_of_birth(value: str, errors: list[str]) -> date | None:
    if not value:
        errors.append("date_of_birth is empty.")
        return None
    for pattern in DATE_FORMATS:
        try:
            born = datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if born >= timezone.localdate():
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
    if value not in EntryType.values:
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

        self.centres = {
            c.number: c
            for c in Centre.objects.filter(number__in=centre_numbers).only(
                "pk", "number", "is_active"
            )
        }
        self.qualifications = {
            q.code: q
            for q in Qualification.objects.filter(code__in=codes).only("pk", "code", "is_active")
        }
        self.approved = set(
            Approval.objects.filter(
                centre__in=list(self.centres.values()),
                qualification__in=list(self.qualifications.values()),
            ).values_list("centre_id", "qualification_id")
        )
        self.units = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "pk"))
        self.qualification_units = set(
            QualificationUnit.objects.filter(
                qualification__in=list(self.qualifications.values())
            ).values_list("qualification_id", "unit_id")
        )
        self.learners = {
            learner.membership_number: learner
            for learner in _locked(
                Learner.objects.filter(membership_number__in=numbers).select_related("centre")
            )
        }
        self.registrations = {
            (r.learner_id, r.qualification_id): r
            for r in _locked(
                Registration.objects.filter(
                    learner__in=list(self.learners.values()),
                    qualification__in=list(self.qualifications.values()),
                )
            )
        }
        self.entered = self._units_by_registration(
            Registration.entered_units.through.objects.filter(
                registration__in=list(self.registrations.values())
            )
        )
        # R-PAR-5: a unit selected on the PAR must stay entered. par depends on centres, so
        # the model is looked up by name rather than imported.
        self.selected: dict[int, dict[int, str]] = {}
        for registration_id, unit_id, code in (
            apps.get_model("par", "UnitSelection")
            .objects.filter(registration__in=list(self.registrations.values()))
            .values_list("registration_id", "unit_id", "unit__code")
        ):
            self.selected.setdefault(registration_id, {})[unit_id] = code
        for row in rows:
            self._check(row)

    @staticmethod
    def _units_by_registration(queryset) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        for registration_id, unit_id in queryset.values_list("registration_id", "unit_id"):
            found.setdefault(registration_id, set()).add(unit_id)
        return found

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
        Learner.objects.bulk_create(new.values())
        Learner.objects.bulk_update(changed.values(), LEARNER_UPDATE_FIELDS)
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
        Registration.objects.bulk_create(r for r, _ in new)
        Registration.objects.bulk_update(changed, ["is_current", "entry_type"])
        entry_model = Registration.entered_units.through
        if units_replaced:
            entry_model.objects.filter(registration_id__in=list(units_replaced)).delete()
        units_replaced.update({r.pk: units for r, units in new if units})
        entry_model.objects.bulk_create(
            entry_model(registration_id=registration_id, unit_id=unit_id)
            for registration_id, units in units_replaced.items()
            for unit_id in sorted(units)
        )
        result.registrations_created = len(new)
