"""The Customer Data Administrator's CSV import of learners and registrations."""

import csv
import datetime
import io
import re
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centres import importing
from centres.importing import COLUMNS, learners_import
from centres.models import (
    AuditEvent,
    EntryType,
    Learner,
    Registration,
)
from centres.tests.factories import (
    ApprovalFactory,
    CentreFactory,
    LearnerFactory,
    QualificationFactory,
    RegistrationFactory,
)
from par.models import UnitSelection

URL = reverse("centres:learner-import")


@pytest.fixture
def data_client(client, world):
    client.force_login(world.data)
    return client


@pytest.fixture(autouse=True)
def _tasks_run_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def send(data_client, django_capture_on_commit_callbacks):
    """Upload a file as the data admin and follow to the job page, its import run at commit.

    The outbox sends the job's task once the upload commits; run eagerly, the page the
    redirect leads to shows the finished import, as the upload page itself once did.
    """

    def upload(file, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = data_client.post(URL, {"file": file, **extra})
        if response.status_code != 302:
            return response
        return data_client.get(response["Location"])

    return upload


def unit_codes(qualification) -> list[str]:
    return list(
        qualification.qualification_units.order_by("position").values_list("unit__code", flat=True)
    )


def row(world, **values) -> list[str]:
    cells = {
        "centre_number": world.centre.number,
        "membership_number": "P7000001",
        "candidate_number": "0101",
        "first_name": "Amira",
        "last_name": "Okafor",
        "date_of_birth": "2004-03-21",
        "qualification_code": world.qualification.code,
        "current": "yes",
        "entry_type": "full",
        "units": "",
    }
    cells.update(values)
    return [cells[name] for name in COLUMNS]


def csv_file(rows, *, header=COLUMNS, encoding="utf-8", name="learners.csv"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def shown_errors(response) -> list[tuple[int, str]]:
    """The (line, problem) pairs the result table shows."""
    html = response.content.decode()
    return [
        (int(line), unescape(message))
        for line, message in re.findall(r'<tr><th scope="row">(\d+)</th><td>(.*?)</td></tr>', html)
    ]


def snapshot():
    """Everything an import could change, to prove a refused import changed nothing."""
    return (
        sorted(
            Learner.objects.values_list(
                "membership_number",
                "candidate_number",
                "first_name",
                "last_name",
                "date_of_birth",
                "centre_id",
            )
        ),
        sorted(Registration.objects.values_list("learner_id", "qualification_id", "is_current")),
        sorted(
            Registration.entered_units.through.objects.values_list("registration_id", "unit_id")
        ),
        AuditEvent.objects.filter(action="centres.learner_import").count(),
    )


def test_page_explains_the_columns_and_offers_the_example(data_client):
    response = data_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for name in COLUMNS:
        assert f"<code>{name}</code>" in html
    assert reverse("centres:learner-import-template") in html
    assert 'enctype="multipart/form-data"' in html


def test_home_shows_the_import_tile_to_data_admins(data_client):
    response = data_client.get(reverse("home"))

    assert "Import learners" in response.content.decode()
    assert URL in response.content.decode()


def test_example_csv_has_the_header_and_two_rows(data_client):
    response = data_client.get(reverse("centres:learner-import-template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == COLUMNS
    assert len(lines) == 3
    assert {line[COLUMNS.index("entry_type")] for line in lines[1:]} == {"full", "unit"}


def test_import_creates_learners_and_registrations(data_client, world, send):
    second = QualificationFactory(units=3)
    ApprovalFactory(centre=world.centre, qualification=second)
    codes = unit_codes(second)
    upload = csv_file(
        [
            row(world),
            row(
                world,
                qualification_code=second.code,
                entry_type="unit",
                units=f"{codes[1]}; {codes[2]}",
            ),
            row(
                world,
                membership_number="P7000002",
                candidate_number="",
                first_name="Tom",
                last_name="Beck",
                date_of_birth="17/11/2003",
                current="no",
                entry_type="Unit",
                units=codes[0],
                qualification_code=second.code,
            ),
        ]
    )

    response = send(upload)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Import complete" in html
    assert '<td data-count="learners-created">2</td>' in html
    assert '<td data-count="registrations-created">3</td>' in html
    amira = Learner.objects.get(membership_number="P7000001")
    assert (amira.first_name, amira.last_name, amira.candidate_number) == (
        "Amira",
        "Okafor",
        "0101",
    )
    assert amira.date_of_birth == datetime.date(2004, 3, 21)
    assert amira.centre == world.centre
    full = amira.registrations.get(qualification=world.qualification)
    assert (full.entry_type, full.is_current, full.entered_units.count()) == ("full", True, 0)
    units = amira.registrations.get(qualification=second)
    assert units.entry_type == EntryType.UNIT
    assert sorted(units.entered_units.values_list("code", flat=True)) == codes[1:]
    tom = Learner.objects.get(membership_number="P7000002")
    assert tom.date_of_birth == datetime.date(2003, 11, 17)
    tom_registration = tom.registrations.get()
    assert tom_registration.is_current is False
    assert list(tom_registration.entered_units.values_list("code", flat=True)) == codes[:1]
    event = AuditEvent.objects.get(action="centres.learner_import")
    assert event.actor == world.data
    assert event.centre == world.centre
    assert event.detail["learners_created"] == 2
    assert event.detail["registrations_created"] == 3
    assert event.detail["rows"] == 3


def test_import_updates_existing_learner_and_registration(data_client, world, send):
    learner = world.learner
    second = QualificationFactory(units=2)
    ApprovalFactory(centre=world.centre, qualification=second)
    codes = unit_codes(world.qualification)
    rows = [
        row(
            world,
            membership_number=learner.membership_number,
            candidate_number="9999",
            first_name="Jo",
            last_name="Ashworth-Lee",
            date_of_birth="2001-01-02",
            current="no",
            entry_type="unit",
            units=";".join(codes[1:3]),
        ),
        row(
            world,
            membership_number=learner.membership_number,
            candidate_number="9999",
            first_name="Jo",
            last_name="Ashworth-Lee",
            date_of_birth="02/01/2001",
            qualification_code=second.code,
        ),
    ]

    response = send(csv_file(rows))

    html = response.content.decode()
    assert '<td data-count="learners-created">0</td>' in html
    assert '<td data-count="learners-updated">1</td>' in html
    assert '<td data-count="registrations-updated">1</td>' in html
    assert '<td data-count="registrations-created">1</td>' in html
    learner.refresh_from_db()
    assert (learner.first_name, learner.last_name, learner.candidate_number) == (
        "Jo",
        "Ashworth-Lee",
        "9999",
    )
    assert learner.date_of_birth == datetime.date(2001, 1, 2)
    registration = learner.registrations.get(qualification=world.qualification)
    assert (registration.is_current, registration.entry_type) == (False, EntryType.UNIT)
    assert sorted(registration.entered_units.values_list("code", flat=True)) == codes[1:3]
    assert learner.registrations.filter(qualification=second, entry_type="full").exists()

    # The same file again changes nothing and says so.
    again = send(csv_file(rows))

    html = again.content.decode()
    assert '<td data-count="learners-unchanged">1</td>' in html
    assert '<td data-count="registrations-unchanged">2</td>' in html
    assert AuditEvent.objects.filter(action="centres.learner_import").count() == 2


def test_full_entry_clears_unit_entries_and_empty_candidate_number_keeps_it(
    data_client, world, send
):
    learner = LearnerFactory(centre=world.centre, candidate_number="4242")
    registration = RegistrationFactory(
        learner=learner, qualification=world.qualification, entry_type=EntryType.UNIT
    )
    registration.entered_units.set(world.qualification.units.all()[:2])

    send(
        csv_file(
            [
                row(
                    world,
                    membership_number=learner.membership_number,
                    candidate_number="",
                    first_name=learner.first_name,
                    last_name=learner.last_name,
                    date_of_birth=learner.date_of_birth.isoformat(),
                )
            ]
        )
    )

    registration.refresh_from_db()
    assert registration.entry_type == EntryType.FULL
    assert registration.entered_units.count() == 0
    learner.refresh_from_db()
    assert learner.candidate_number == "4242"


def _other_qualification_unit(world):
    return unit_codes(QualificationFactory(units=1))[0]


def _unapproved_centre(world):
    return CentreFactory(number="30001").number


def _selected_on_par(world):
    registration = world.learner.registrations.get()
    codes = unit_codes(world.qualification)
    UnitSelection.objects.create(
        registration=registration, unit=registration.qualification.units.get(code=codes[1])
    )
    return world.learner.membership_number


def _withdrawn_qualification(world):
    qualification = QualificationFactory(units=1, is_active=False)
    ApprovalFactory(centre=world.centre, qualification=qualification)
    return qualification.code


# (case id, the rows after one good row on line 2, the line at fault, what the page says)
ERROR_CASES = [
    ("p-number", lambda w: [row(w, membership_number="p12345")], 3, "capital P"),
    ("unknown-centre", lambda w: [row(w, centre_number="99999")], 3, "Centre 99999 is not known"),
    (
        "not-approved",
        lambda w: [row(w, centre_number=_unapproved_centre(w))],
        3,
        "Centre 30001 is not approved for qualification",
    ),
    (
        "unknown-qualification",
        lambda w: [row(w, qualification_code="NOPE1")],
        3,
        "Qualification NOPE1 is not known",
    ),
    (
        "withdrawn-qualification",
        lambda w: [row(w, qualification_code=_withdrawn_qualification(w))],
        3,
        "is no longer offered",
    ),
    (
        "unknown-unit",
        lambda w: [row(w, entry_type="unit", units="ZZ999")],
        3,
        "Unit ZZ999 is not known",
    ),
    (
        "foreign-unit",
        lambda w: [row(w, entry_type="unit", units=_other_qualification_unit(w))],
        3,
        "is not a unit of qualification",
    ),
    ("bad-date", lambda w: [row(w, date_of_birth="31/02/2004")], 3, "is not a date"),
    ("future-date", lambda w: [row(w, date_of_birth="2999-01-01")], 3, "is not in the past"),
    ("bad-current", lambda w: [row(w, current="maybe")], 3, "must be yes or no"),
    ("bad-entry-type", lambda w: [row(w, entry_type="partial")], 3, "must be full or unit"),
    ("unit-entry-no-units", lambda w: [row(w, entry_type="unit")], 3, "needs its unit codes"),
    (
        "full-entry-with-units",
        lambda w: [row(w, units=unit_codes(w.qualification)[0])],
        3,
        "takes no units",
    ),
    ("empty-name", lambda w: [row(w, first_name="  ")], 3, "first_name is empty"),
    ("long-name", lambda w: [row(w, last_name="x" * 101)], 3, "longer than 100 characters"),
    ("too-many-cells", lambda w: [[*row(w), "extra"]], 3, "the header has 10"),
    (
        "duplicate-registration",
        lambda w: [row(w, membership_number="P7000002"), row(w, membership_number="P7000002")],
        4,
        "already registered on",
    ),
    (
        "details-disagree",
        lambda w: [
            row(w, membership_number="P7000002"),
            row(
                w,
                membership_number="P7000002",
                first_name="Other",
                qualification_code=_withdrawn_qualification(w),
            ),
        ],
        4,
        "has different first_name on line 3",
    ),
    (
        "learner-of-another-centre",
        lambda w: [row(w, membership_number=w.other_learner.membership_number)],
        3,
        "is a learner of centre",
    ),
    # R-PAR-5: a unit selected on the PAR needs its unit entry, so the import keeps it.
    (
        "unit-selected-on-par",
        lambda w: [
            row(
                w,
                membership_number=_selected_on_par(w),
                first_name=w.learner.first_name,
                last_name=w.learner.last_name,
                entry_type="unit",
                units=unit_codes(w.qualification)[2],
            )
        ],
        3,
        "selected on the PAR",
    ),
]


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_bad_row_is_reported_by_line_and_nothing_is_written(
    data_client, world, rows, line, message, send
):
    upload = csv_file([row(world, membership_number="P7000001"), *rows(world)])
    before = snapshot()

    response = send(upload)

    assert response.status_code == 200
    errors = shown_errors(response)
    assert any(shown_line == line and message in text for shown_line, text in errors), errors
    assert "Nothing was imported" in response.content.decode()
    assert snapshot() == before


def test_one_bad_row_in_fifty_writes_nothing(data_client, world, send):
    rows = [row(world, membership_number=f"P80000{i:02d}") for i in range(49)]
    rows.insert(29, row(world, membership_number="P8000099", qualification_code="NOPE1"))
    rows.append(row(world, membership_number=world.learner.membership_number, first_name="Renamed"))
    before = snapshot()

    response = send(csv_file(rows))

    assert shown_errors(response) == [(31, "Qualification NOPE1 is not known.")]
    assert snapshot() == before
    assert not Learner.objects.filter(first_name="Renamed").exists()


def test_a_long_list_of_problems_is_capped(data_client, world, send):
    rows = [row(world, membership_number=f"X{i}") for i in range(250)]

    response = send(csv_file(rows))

    assert len(shown_errors(response)) == 200
    assert "and 50 more problems not shown" in response.content.decode()


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not a CSV file"),
        ("learners.xlsx", _xlsx_bytes(), "not a CSV file"),
        (
            "latin1.csv",
            (
                ",".join(COLUMNS) + "\r\n20001,P7000001,,Zoë,Brontë,2004-03-21,Q1,yes,full,\r\n"
            ).encode("latin-1"),
            "not UTF-8 text: line 2 is written in another encoding",
        ),
        ("utf16.csv", ",".join(COLUMNS).encode("utf-16"), "not UTF-8 text"),
        ("header-only.csv", (",".join(COLUMNS) + "\r\n").encode(), "header row but no learners"),
        ("blank.csv", b"\r\n\r\n", "The file is empty."),
    ],
    ids=["png", "xlsx", "latin-1", "utf-16", "header-only", "blank-lines"],
)
def test_a_wrong_file_gets_one_clear_error(data_client, world, name, content, message, send):
    before = snapshot()

    response = send(SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        next(e for e in response.context["form"].errors["file"] if message in e)
    ]
    assert message in unescape(response.content.decode())
    assert snapshot() == before


def test_a_learner_registered_meanwhile_refuses_the_import(world, monkeypatch):
    """A colleague creating the same learner between our checks and writes: nothing saved."""
    write = importing._Plan._write_learners

    def colleague_first(plan, result):
        LearnerFactory(membership_number="P7000001", centre=world.centre)
        write(plan, result)

    monkeypatch.setattr(importing._Plan, "_write_learners", colleague_first)

    result = learners_import(actor=world.data, file=csv_file([row(world)]))

    assert "upload the file again" in result.file_error
    assert not Learner.objects.filter(membership_number="P7000001").exists()
    assert not AuditEvent.objects.filter(action="centres.learner_import").exists()


def test_an_empty_upload_is_refused(data_client, world, send):
    response = send(SimpleUploadedFile("empty.csv", b""))

    assert "The submitted file is empty." in response.content.decode()
    assert Learner.objects.count() == 2


def test_an_empty_file_is_refused_by_the_service(world):
    result = learners_import(actor=world.data, file=SimpleUploadedFile("empty.csv", b""))

    assert result.file_error == "The file is empty."


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            [c for c in COLUMNS if c not in ("current", "units")],
            "Missing columns: current, units.",
        ),
        ([*COLUMNS, "notes"], "Unknown column: notes; remove them from the file."),
        ([*COLUMNS, "first_name"], "Column given twice: first_name."),
        (["membership number", "name"], "Missing columns: centre_number, candidate_number"),
    ],
    ids=["missing", "extra", "repeated", "other-file"],
)
def test_wrong_columns_are_named(data_client, world, header, message, send):
    before = snapshot()
    upload = csv_file([["x"] * len(header)], header=header)

    response = send(upload)

    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    assert message in errors[0]
    assert snapshot() == before


def test_header_names_are_matched_loosely_and_in_any_order(data_client, world, send):
    header = [name.replace("_", " ").title() for name in reversed(COLUMNS)]
    upload = csv_file([list(reversed(row(world)))], header=header)

    send(upload)

    assert Learner.objects.filter(membership_number="P7000001").exists()


def test_excel_byte_order_mark_is_accepted(data_client, world, send):
    upload = csv_file([row(world, first_name="Zoë")], encoding="utf-8-sig")
    assert upload.read(3) == b"\xef\xbb\xbf"
    upload.seek(0)

    response = send(upload)

    assert "Import complete" in response.content.decode()
    assert Learner.objects.get(membership_number="P7000001").first_name == "Zoë"


def test_a_file_over_the_size_limit_is_refused(data_client, world, settings, send):
    settings.HUB_MAX_IMPORT_MB = 1
    rows = [row(world, membership_number=f"P9{i:06d}") for i in range(20_000)]
    upload = csv_file(rows)
    assert upload.size > 1024 * 1024
    before = snapshot()

    response = send(upload)

    assert "the largest file accepted is 1 MB" in response.content.decode()
    assert "at most 1 MB" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["director", "admin", "tutor", "outsider", "moderator"])
def test_other_users_get_403_and_nothing_is_imported(client, world, persona):
    """R-ACC-2: centre users, even fully granted ones, cannot register learners."""
    client.force_login(getattr(world, persona))

    response = client.post(URL, {"file": csv_file([row(world)])})

    assert response.status_code == 403
    assert not Learner.objects.filter(membership_number="P7000001").exists()


def test_the_example_csv_is_for_data_admins_only(client, world):
    client.force_login(world.director)

    response = client.get(reverse("centres:learner-import-template"))

    assert response.status_code == 403


def _rows_for_query_count(world, size: int) -> tuple[list[list[str]], int]:
    """Half new learners, half existing ones (some registered); a third are unit entries.

    Return the rows and how many registrations they create.
    """
    codes = unit_codes(world.qualification)
    existing = [LearnerFactory(centre=world.centre) for _ in range(size // 2)]
    for learner in existing[::2]:
        RegistrationFactory(learner=learner, qualification=world.qualification)
    rows = []
    for i in range(size):
        learner = existing[i] if i < len(existing) else None
        unit_entry = i % 3 == 0
        rows.append(
            row(
                world,
                membership_number=learner.membership_number if learner else f"P6{i:06d}",
                first_name=f"Name{i}",
                entry_type="unit" if unit_entry else "full",
                units=";".join(codes[1:3]) if unit_entry else "",
            )
        )
    return rows, size - len(existing[::2])


# The upload, its job run by the outbox, and the job page, whatever the number of rows: the
# import's own 9 reads to check the file, 6 bulk writes and 1 audit row as before, plus the
# two requests' session and user reads, the job and outbox rows and savepoints, the outbox's
# claim, read and done mark, and the job's start, lock, outcome and stored file cleared.
IMPORT_QUERIES = 38


@pytest.mark.parametrize("size", [10, 200])
def test_query_count_does_not_grow_with_rows(
    data_client, world, django_assert_max_num_queries, size, send
):
    rows, new_registrations = _rows_for_query_count(world, size)
    upload = csv_file(rows)
    before = Registration.objects.count()

    with django_assert_max_num_queries(IMPORT_QUERIES):
        response = send(upload)

    assert "Import complete" in response.content.decode()
    assert Registration.objects.count() == before + new_registrations
