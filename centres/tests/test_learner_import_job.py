"""The learner import runs in a worker (issue 12.9): the upload queues a job, the job page
shows its progress while it runs and its outcome after, only to whoever uploaded it."""

from __future__ import annotations

import codecs
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centres import importing
from centres.importing import COLUMNS
from centres.models import BodyRole, ImportJob, Learner
from centres.tests.factories import UserFactory
from centres.tests.test_learner_import import csv_file, row, shown_errors
from hub import outbox
from hub.models import OutboxMessage

URL = reverse("centres:learner-import")


@pytest.fixture
def data_client(client, world):
    client.force_login(world.data)
    return client


def job_url(job: ImportJob) -> str:
    return reverse("centres:learner-import-job", args=[job.pk])


def test_upload_queues_a_job_the_sweep_runs_and_the_page_follows(data_client, world):
    """Broker or no broker: the upload answers at once; the outbox sweep runs the import."""
    rows = [row(world, membership_number=f"P71000{i:02d}") for i in range(3)]

    response = data_client.post(URL, {"file": csv_file(rows, name="spring.csv")})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.status, job.rows_total, job.uploaded_by) == ("queued", 3, world.data)
    assert default_storage.exists(job.file.name)
    assert OutboxMessage.objects.filter(kind="centres.learner_import").count() == 1
    assert not Learner.objects.filter(membership_number__startswith="P7100").exists()
    waiting = data_client.get(job_url(job)).content.decode()
    assert "spring.csv" in waiting
    assert "Waiting to start" in waiting
    assert f'data-hx-get="{job_url(job)}"' in waiting
    assert 'data-hx-trigger="every 2s"' in waiting

    assert outbox.sweep() == 1

    stored = job.file.name
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == 3 and job.finished_at is not None
    # The upload (personal details) is not kept once its outcome is recorded.
    assert job.file.name == ""
    assert not default_storage.exists(stored)
    assert job.centre == world.centre
    assert job.counts["learners_created"] == 3
    assert Learner.objects.filter(membership_number__startswith="P7100").count() == 3
    done = data_client.get(job_url(job)).content.decode()
    assert "Import complete" in done
    assert '<td data-count="learners-created">3</td>' in done
    assert "data-hx-trigger" not in done  # the page stops asking once the job is finished


def test_a_running_job_shows_how_many_rows_are_checked(data_client, world):
    job = ImportJob.objects.create(
        uploaded_by=world.data, file="x.csv", file_name="x.csv", rows_total=98_000
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    importing.cache.set(importing._progress_key(job.pk), 24_500)

    response = data_client.get(job_url(job), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html  # htmx swaps in only the progress part
    assert "Checked 24500 of 98000 rows." in html
    assert 'value="24500" max="98000">25%</progress>' in html
    assert 'data-hx-trigger="every 2s"' in html


def test_problems_are_shown_by_line_on_the_job_page(data_client, world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    upload = csv_file(
        [row(world), row(world, membership_number="P7000002", qualification_code="NOPE1")]
    )
    response = data_client.post(URL, {"file": upload})
    job = ImportJob.objects.get()
    importing.run_learner_import_job(job_id=job.pk)

    page = data_client.get(response["Location"])

    assert shown_errors(page) == [(3, "Qualification NOPE1 is not known.")]
    assert "Nothing was imported" in page.content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.errors == [[3, "Qualification NOPE1 is not known."]]
    assert not Learner.objects.filter(membership_number="P7000001").exists()
    # Run again (a redelivered task): a finished job is left as it is.
    importing.run_learner_import_job(job_id=job.pk)
    assert ImportJob.objects.get().errors == job.errors


def test_another_users_job_is_404_and_admins_see_it(client, world):
    job = ImportJob.objects.create(
        uploaded_by=world.data, file="x.csv", file_name="x.csv", rows_total=1
    )
    colleague = UserFactory(body_role=BodyRole.DATA_ADMIN)
    client.force_login(colleague)
    assert client.get(job_url(job)).status_code == 404
    client.force_login(world.staff)
    assert client.get(job_url(job)).status_code == 200
    client.force_login(world.director)
    assert client.get(job_url(job)).status_code == 403


def test_a_file_that_is_not_a_learner_csv_stores_nothing(data_client, world):
    response = data_client.post(URL, {"file": csv_file([["x"]], header=["name"])})

    assert response.status_code == 200
    assert "Missing columns" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_is_named_and_the_fix_given(data_client, world, codec):
    """Excel's "Unicode Text" without a byte order mark once read as "Missing columns"."""
    text = ",".join(COLUMNS) + "\r\n" + ",".join(row(world)) + "\r\n"
    content = text.encode(codec)
    assert content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) == (codec == "utf-16")

    response = data_client.post(URL, {"file": SimpleUploadedFile("unicode.csv", content)})

    errors = response.context["form"].errors["file"]
    assert len(errors) == 1
    message = unescape(response.content.decode())
    assert "saved as UTF-16" in message
    assert "Save the file as CSV UTF-8" in message
    assert "Missing column" not in message
    assert not ImportJob.objects.exists()


def test_a_utf8_file_with_accents_is_not_taken_for_utf16(data_client, world):
    upload = csv_file([row(world, first_name="Zoë", last_name="Łukasiewicz")])

    response = data_client.post(URL, {"file": upload})

    assert response.status_code == 302


def test_many_rows_go_in_chunks(world, settings):
    """More learners than one SQLite query may name (999 variables) import in one go."""
    rows = [row(world, membership_number=f"P87{i:06d}") for i in range(2_500)]
    result = importing.learners_import(actor=world.data, file=csv_file(rows))

    assert result.ok, result.errors[:3] or result.file_error
    assert result.learners_created == 2_500
    again = importing.learners_import(actor=world.data, file=csv_file(rows))
    assert again.learners_unchanged == 2_500 and again.registrations_unchanged == 2_500
