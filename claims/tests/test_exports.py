"""The CSV writer's formula guard: one search per chunk, cell by cell only on a match."""

import csv
import io

from claims import exports
from claims.models import Grade


def written(rows, monkeypatch, per_chunk=500):
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", per_chunk)
    chunks = list(exports._csv_chunks(["a", "b", "c"], rows))
    return chunks, list(csv.reader(io.StringIO("".join(chunks))))[1:]


def test_only_text_starting_a_formula_is_prefixed(monkeypatch):
    rows = [
        ("plain", 3, None),
        ("=SUM(A1)", -5, "+1"),  # text starting a formula; a negative number is not text
        ("a\x1f=b", "@x", "\tx"),  # the separator inside a cell does not fool the guard
        ("-2", "ok", "\rx"),
    ]
    _, out = written(rows, monkeypatch)
    assert out == [
        ["plain", "3", ""],
        ["'=SUM(A1)", "-5", "'+1"],
        ["a\x1f=b", "'@x", "'\tx"],
        ["'-2", "ok", "'\rx"],
    ]


def test_rows_go_out_a_chunk_at_a_time(monkeypatch):
    chunks, out = written([(str(i), i, "=x" if i == 4 else "") for i in range(7)], monkeypatch, 3)
    assert len(chunks) == 1 + 3  # the header, then 3 + 3 + 1 rows
    assert [row[2] for row in out] == ["", "", "", "", "'=x", "", ""]


def test_a_formula_in_a_chunks_first_cell_is_caught(monkeypatch):
    # The first cell has no separator before it in the joined text: the search must still
    # see it, whether the chunk is one row or many.
    rows = [("=a", "b", "c"), ("x", "y", "z"), ("@d", "e", "f")]
    for per_chunk in (1, 2, 500):
        _, out = written(rows, monkeypatch, per_chunk)
        assert out == [["'=a", "b", "c"], ["x", "y", "z"], ["'@d", "e", "f"]]


def test_text_only_and_mixed_chunks_are_guarded_alike(monkeypatch):
    # A chunk all text is searched as it is; one with a number or None is made text first.
    text_only = [("a", "b", "c"), ("x", "-y", "z")]
    mixed = [("a", None, "c"), ("x", "-y", 3)]
    assert written(text_only, monkeypatch)[1] == [["a", "b", "c"], ["x", "'-y", "z"]]
    assert written(mixed, monkeypatch)[1] == [["a", "", "c"], ["x", "'-y", "3"]]


def test_chunks_are_the_writers_text_whether_joined_or_written(monkeypatch):
    """A chunk of text cells none of which needs quoting is joined by hand; any other goes
    through csv.writer. Either way the bytes are the writer's own, formula guard included."""

    def writer_text(rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["a", "b", "c"])
        writer.writerows(exports._defused(row) for row in rows)
        return buffer.getvalue()

    chunks = [
        [("P1", "Ann", ""), ("P2", "", "=x")],  # joined: empty cells, a formula guarded
        [("P1", "Smith, Ann", "x")],  # a comma: quoted by the writer
        [("P1", 'say "hi"', "x"), ("a", "b\nc", "d\re")],  # quotes, line breaks
        [("",), ("x",)],  # a row of one empty cell is written "" by the writer
        [(), ("x", "y")],  # a row of no cells
        [("a", None, 3)],  # not all text
    ]
    for rows in chunks:
        for per_chunk in (1, 500):
            assert "".join(written(rows, monkeypatch, per_chunk)[0]) == writer_text(rows), rows


def test_the_claim_export_words_grades_samples_and_outcomes(cw, member_client):
    from django.urls import reverse

    from claims.models import LINE_WITHDRAWN, ClaimLine

    from .conftest import sampled_claim

    claim = sampled_claim(cw)
    lines = list(claim.lines.order_by("pk"))
    ClaimLine.objects.filter(pk=lines[0].pk).update(outcome=Grade.DISTINCTION)
    ClaimLine.objects.filter(pk=lines[1].pk).update(outcome=LINE_WITHDRAWN)
    response = member_client.get(reverse("claims:claim-export", args=[claim.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]
    expected = {
        line.registration.learner.last_name: (
            "Merit",
            "yes" if line.pk == lines[0].pk else "",
            {lines[0].pk: "Distinction", lines[1].pk: "Withdrawn"}.get(line.pk, ""),
        )
        for line in lines
    }
    assert {row[4]: (row[8], row[12], row[13]) for row in rows} == expected
    assert {row[0] for row in rows} == {claim.number} and {row[1] for row in rows} == {
        cw.qualification.code
    }


def _claim_export(client, claim):
    from django.urls import reverse

    response = client.get(reverse("claims:claim-export", args=[claim.pk]))
    return b"".join(response.streaming_content).decode()


def _as_the_writer_writes(claim):
    """The claim's export as csv.writer writes it from the lines' cells read by the ORM,
    each text that could start a formula prefixed."""
    rows = exports._claim_line_cells.rows(claim.pk, limit=10_000, offset=0)
    claim_columns = (claim.number or "", claim.qualification.code)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [exports._CLAIM_HEADER_CELLS, *((*claim_columns, *row) for row in rows)]:
        writer.writerow(exports._defused(row))
    return buffer.getvalue()


def test_the_claim_export_is_the_writers_text_whatever_its_cells(cw, member_client, monkeypatch):
    """Each line comes from the database as one text, its cells joined by a separator: as
    it is when no cell needs quoting or a guard, split back into cells when one does, read
    again cell by cell when a cell holds the separator itself. Either way the bytes are the
    writer's own, in every chunk size."""
    from centres.models import Learner

    from .conftest import claim_with_lines

    claim = claim_with_lines(cw)
    learners = list(
        Learner.objects.filter(registrations__claim_lines__claim=claim)
        .distinct()
        .order_by("last_name")
    )
    assert len(learners) >= 2
    plain = _claim_export(member_client, claim)
    assert plain == _as_the_writer_writes(claim)
    names = [
        ("Smith, Ann", 'say "hi"'),  # quoted by the writer
        ("=cmd()", "-1"),  # guarded
        ("O\x1fBrien", "Ann"),  # the separator itself, in a cell
        ("line\nbreak", "\x1f"),
    ]
    for last_name, first_name in names:
        Learner.objects.filter(pk=learners[0].pk).update(last_name=last_name, first_name=first_name)
        expected = _as_the_writer_writes(claim)
        for per_chunk in (1, 2, 500):
            monkeypatch.setattr(exports, "ROWS_PER_CHUNK", per_chunk)
            assert _claim_export(member_client, claim) == expected, (last_name, per_chunk)


def test_a_claim_export_bigger_than_a_fetch_is_read_through_a_cursor(
    cw, member_client, monkeypatch
):
    from claims.models import ClaimLine

    from .conftest import bulk_candidates, start_claim

    claim = start_claim(cw)
    registrations = bulk_candidates(cw, 7)
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim, registration=r, unit=cw.units[0], grade=Grade.PASS, assessor=cw.assessor
        )
        for r in registrations
    )
    registrations[3].learner.__class__.objects.filter(pk=registrations[3].learner_id).update(
        first_name="a\x1fb"
    )
    monkeypatch.setattr(exports, "FETCH_CHUNK", 3)
    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 2)
    assert _claim_export(member_client, claim) == _as_the_writer_writes(claim)
