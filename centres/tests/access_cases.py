from centres.models import ImportJob, Section
from hub.tests.matrix import body_page, everyone, register, section_page

register("centres:switch", expect=everyone(405), label="GET")
register(
    "centres:switch",
    method="post",
    data=lambda w: {"centre": w.centre.pk},
    # Only members of that centre may switch to it; anyone else gets 404, not a hint.
    expect=everyone(404, anon=302, director=302, admin=302, tutor=302, quality=302),
    label="POST",
)
register("centres:learner-list", expect=section_page(Section.LEARNERS))
register(
    "centres:learner-detail",
    kwargs=lambda w: {"pk": w.learner.pk},
    expect=section_page(Section.LEARNERS, scoped=True),
)


# Staff access: viewing needs the Staff grant; changes need the Programme Director as well.
# Only the director (and the outsider, at their own centre) hold both in the test world.
def _tutor_membership(w):
    return {"pk": w.tutor.memberships.get(centre=w.centre).pk}


def _invite_data(w):
    return {
        "email": "new.colleague@example.test",
        "first_name": "Nia",
        "last_name": "Okafor",
        "role": "tutor",
        "sections": ["par"],
    }


register("centres:staff", expect=section_page(Section.STAFF))
register("centres:staff", method="post", expect=everyone(405), label="POST")
register("centres:staff-invite", expect=section_page(Section.STAFF), label="GET")
register(
    "centres:staff-invite",
    method="post",
    data=_invite_data,
    # The outsider invites into their own centre, which is theirs to run.
    expect=section_page(Section.STAFF, ok=302),
    label="POST",
)
register(
    "centres:staff-edit",
    kwargs=_tutor_membership,
    expect=section_page(Section.STAFF, scoped=True),
    label="GET",
)
register(
    "centres:staff-edit",
    method="post",
    kwargs=_tutor_membership,
    data=lambda w: {"role": "tutor", "sections": ["par", "learners"]},
    expect=section_page(Section.STAFF, ok=302, scoped=True),
    label="POST",
)
register(
    "centres:staff-revoke-confirm",
    kwargs=_tutor_membership,
    expect=section_page(Section.STAFF, scoped=True),
)
register(
    "centres:staff-revoke",
    kwargs=_tutor_membership,
    expect=everyone(405),
    label="GET",
)
register(
    "centres:staff-revoke",
    method="post",
    kwargs=_tutor_membership,
    expect=section_page(Section.STAFF, ok=302, scoped=True),
    label="POST",
)


# The learner import is the Customer Data Administrator's (and admins'); centre users get 403.
register("centres:learner-import", expect=body_page("data", "staff"), label="GET")
register(
    "centres:learner-import",
    method="post",
    # No file: the form is shown again with its error, nothing is imported.
    expect=body_page("data", "staff"),
    label="POST",
)
register("centres:learner-import-template", expect=body_page("data", "staff"), label="GET")
register("centres:learner-import-template", method="post", expect=everyone(405), label="POST")


def _import_job(world):
    job = ImportJob.objects.create(
        uploaded_by=world.data, file="learner-imports/x.csv", file_name="x.csv", rows_total=1
    )
    return {"pk": job.pk}


# The job page of an import: its uploader's (and admins'); others' jobs are 404 (tested in
# test_learner_import_job), centre users 403.
register("centres:learner-import-job", kwargs=_import_job, expect=body_page("data", "staff"))
register(
    "centres:learner-import-job",
    kwargs=_import_job,
    method="post",
    expect=everyone(405),
    label="POST",
)
