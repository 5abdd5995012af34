"""The demo as `make run` loads it: PAR selection to a Complete batch, as its users would do it."""

import re

import pytest
from django.core.management import call_command

from centres.demo import DEMO_PASSWORD
from centres.models import Learner, Qualification, User
from moderation.tests.factories import PDF_BYTES
from testsupport.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, live_server, email):
    page.context.clear_cookies()
    login(page, live_server, User.objects.get(email=email), DEMO_PASSWORD)


def test_demo_data_from_par_to_a_complete_batch(page, live_server):
    # The whole demo, as `make run` loads it: its own batches and claims leave this
    # learner and unit free, and its queue holds other batches than the one made here.
    call_command("seed_demo", "--quiet")
    qualification = Qualification.objects.get(code="CMI-L5-DML")
    unit = qualification.units.get(code="CMI507")
    learner = (
        Learner.objects.filter(
            centre__number="10001",
            registrations__qualification=qualification,
            registrations__is_current=True,
        )
        .order_by("membership_number")
        .first()
    )

    # The Centre Administrator selects the unit on the PAR (R-PAR-3).
    as_user(page, live_server, "admin@demo.test")
    page.get_by_role("link", name="ADD Optional Units (Formerly PAR)").click()
    page.get_by_role("link", name="Individual Add/Remove").click()
    page.get_by_label("Enter Membership Number or Surname").fill(learner.membership_number)
    page.get_by_role("button", name="Update Optional Units").click()
    page.get_by_label(f"{unit.code} {unit.title}").check()
    page.get_by_role("button", name="Add all selected units.").click()
    page.get_by_text("1 unit selected.").wait_for()

    # ...builds a batch for it (R-BAT-1, R-BAT-4, R-BAT-5)...
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Moderation", exact=True).click()
    page.get_by_role("link", name="Add Batch").click()
    page.get_by_label("Qualification").select_option(str(qualification.pk))
    page.get_by_role("button", name="Click Here").click()
    pdf = {"mimeType": "application/pdf", "buffer": PDF_BYTES}
    page.get_by_label("IV Feedback").set_input_files({"name": "iv.pdf", **pdf})
    page.get_by_label("Assessment Brief").set_input_files({"name": "brief.pdf", **pdf})
    page.get_by_role("button", name="Upload documents").click()
    page.get_by_test_id("iv-done").wait_for()
    page.get_by_role("link", name="Select Units to Pass on Batch").click()
    card = page.locator("details", has_text=learner.membership_number)
    card.locator("summary").click()
    card.get_by_label(f"{unit.code} {unit.title}").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("batch-status").get_by_text("Centre Completing").wait_for()

    # ...uploads the sample: 100% on the centre's first submission (R-BAT-6)...
    slot = page.locator(
        f'[data-slot][data-p-number="{learner.membership_number}"][data-unit-code="{unit.code}"]'
    )
    slot.locator('input[type="file"]').set_input_files({"name": "work.pdf", **pdf})
    slot.get_by_role("button", name="Upload").click()
    slot.locator("a.doc-done").wait_for()
    page.get_by_role("link", name="Submit Batch").click()
    page.get_by_text("The sample is met.").wait_for()
    page.get_by_role("button", name="Submit Batch").click()
    page.get_by_test_id("batch-status").get_by_text("With Moderator").wait_for()
    batch_pk = re.search(r"/moderation/(\d+)/", page.url).group(1)

    # The moderator takes it from the queue and passes it (R-BAT-7, R-BAT-8).
    as_user(page, live_server, "moderator@demo.test")
    page.get_by_role("link", name="Moderation queue").click()
    page.get_by_role("button", name=f"Take batch {batch_pk}").click()
    page.get_by_label("Complete").check()
    page.get_by_label("Comments", exact=True).fill("Well evidenced.")
    page.get_by_role("button", name="Set outcome").click()
    page.get_by_test_id("batch-status").get_by_text("Complete").wait_for()
    assert_accessible(page)

    # R-BAT-10, R-PAR-2: the PAR shows the result with its date and time.
    as_user(page, live_server, "admin@demo.test")
    page.goto(f"{live_server.url}/par/learners/{learner.pk}/")
    row = page.locator("tr.unit-achieved", has_text=unit.code)
    row.wait_for()
    assert "Pass," in row.inner_text()
