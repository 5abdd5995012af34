"""Django admin (issue 13): no page answers 500, and records only the hub makes have no Add.

As a superuser, every registered model's changelist, its add page where adding is allowed,
and the change page of one object, with a few objects of every kind made by the factories
and the services.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates.models import FailedJob
from certificates.tests.factories import issued_certificate
from claims.tests.conftest import make_claim_world, submitted_claim
from hub import outbox
from hub.models import DeadlineAlert
from moderation import services as moderation
from moderation.models import BatchStatus
from moderation.tests.factories import make_batch
from notices.services import Recipient, notify
from reviews.models import ReviewStatus
from reviews.tests.factories import make_review

# Made only by the hub: an admin "Add" would store a record nothing real stands behind.
SYSTEM_MADE = {
    "certificates.certificate",
    "certificates.certificatedispatch",
    "hub.deadlinealert",
    "certificates.failedjob",
    "hub.outboxmessage",
    "moderation.batch",
    "moderation.batchhistory",
    "centres.auditevent",
    "notices.notice",
    "claims.claim",
    "par.unitselection",
    "downloads.downloadrequest",
    # A review is made by a centre's request (R-REV-1); admin only assigns its reviewer.
    "reviews.review",
    # django-axes's log-in records.
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


@pytest.fixture
def populated(world, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    certificate = issued_certificate(world)
    batch = make_batch(world, BatchStatus.WITH_MODERATOR, selections=[])
    moderation.batch_assign(actor=world.staff, batch=batch, moderator=world.moderator)
    moderation.batch_request_deletion(actor=world.admin, batch=batch, reason="Duplicate.")
    DeadlineAlert.objects.create(
        batch=batch,
        kind="sla_overdue",
        cycle=timezone.now(),
        due=timezone.now(),
        recipients="team@awarding.test",
    )
    FailedJob.objects.create(task="hub.tasks.outbox_sweep", error="boom")
    submitted_claim(make_claim_world(world))
    make_review(world, batch=certificate.batch, status=ReviewStatus.OUTCOME_CHANGED)
    notify(
        kind="test",
        template="moderation/notices/deletion_requested",
        context={"batch": batch},
        link="/",
        recipients=[Recipient.of(world.admin)],
    )
    outbox.sweep()
    return world


def admin_pages():
    for model, model_admin in admin.site._registry.items():
        yield pytest.param(model, model_admin, id=model._meta.label_lower)


@pytest.mark.parametrize(("model", "model_admin"), list(admin_pages()))
def test_no_admin_page_answers_500(populated, client: Client, model, model_admin):
    client.force_login(populated.staff)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = client.get(reverse(f"{prefix}_changelist"))
    assert changelist.status_code in (200, 302, 403)

    add = client.get(reverse(f"{prefix}_add"))
    if model._meta.label_lower in SYSTEM_MADE:
        # No Add button, and the add page itself is refused.
        assert add.status_code == 403
        assert reverse(f"{prefix}_add") not in changelist.content.decode()
    else:
        assert add.status_code in (200, 302)

    obj = model_admin.get_queryset(changelist.wsgi_request).first()
    if obj is not None:
        change = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
        assert change.status_code in (200, 302, 403)


def test_every_system_made_model_is_registered():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered >= SYSTEM_MADE
