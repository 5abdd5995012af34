"""The learner import as a Customer Data Administrator meets it in Chromium."""

import pytest

from centres.models import Learner
from centres.tests.factories import PASSWORD
from centres.tests.test_learner_import import csv_file, row
from hub import outbox
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    """No broker and no worker: each import waits on its job page until the test runs the
    outbox sweep (a worker's work), and the page, polling, then shows the outcome."""
    monkeypatch.setattr(outbox, "send", lambda message_id: None)


def choose(page, name: str, content: bytes) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Import learners").click()


def run_the_queued_import(page) -> None:
    page.get_by_role("heading", name="Waiting to start").wait_for()
    assert outbox.sweep() == 1


def test_import_lists_problems_then_imports_the_corrected_file(page, live_server, world):
    login(page, live_server, world.data, PASSWORD)
    page.get_by_role("link", name="Import learners").click()
    page.get_by_role("heading", name="Import learners").wait_for()
    assert_accessible(page)

    choose(page, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    # Beside the field, and linked from the error summary at the top (issue 14).
    page.locator(".invalid-feedback").get_by_text("not a CSV file").wait_for()
    assert page.get_by_role("link", name="not a CSV file").count() == 1
    assert_accessible(page)

    bad = csv_file(
        [row(world), row(world, membership_number="P7000002", date_of_birth="31/02/2004")]
    )
    choose(page, "learners.csv", bad.read())
    run_the_queued_import(page)
    page.get_by_role("heading", name="Nothing was imported").wait_for()
    problems = page.get_by_role("table", name="Problems found in the file, by line")
    assert "is not a date" in problems.get_by_role("row").nth(1).inner_text()
    assert problems.get_by_role("rowheader").all_inner_texts() == ["3"]
    assert_accessible(page)
    assert not Learner.objects.filter(membership_number="P7000001").exists()

    good = csv_file([row(world), row(world, membership_number="P7000002")])
    page.get_by_role("link", name="Import another file").click()
    choose(page, "learners.csv", good.read())
    run_the_queued_import(page)
    page.get_by_role("heading", name="Import complete").wait_for()
    assert_accessible(page)
    assert Learner.objects.filter(membership_number__in=["P7000001", "P7000002"]).count() == 2
