"""The Customer Data Administrator's learner import.

The upload page checks the file as a whole and queues its import; a worker runs it (a large
file takes longer than a request may) and the job page shows its progress, then its outcome.
"""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .access import body_role_required
from .forms_import import LearnerImportForm
from .importing import (
    COLUMNS,
    ImportFileError,
    example_csv_lines,
    job_result,
    job_rows_done,
    learner_import_jobs_for,
    learner_import_start,
)
from .models import BodyRole

# A file full of mistakes would otherwise make a page nobody can read.
MAX_ERRORS_SHOWN = 200


@require_http_methods(["GET", "POST"])
@body_role_required(BodyRole.DATA_ADMIN)
def learner_import(request):
    if request.method == "POST":
        form = LearnerImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = learner_import_start(actor=request.user, file=form.cleaned_data["file"])
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("centres:learner-import-job", pk=job.pk)
    else:
        form = LearnerImportForm()
    return render(
        request, "centres/learner_import.html", {"form": form, "result": None, "columns": COLUMNS}
    )


@require_GET
@body_role_required(BodyRole.DATA_ADMIN)
def learner_import_job(request, pk: int):
    job = get_object_or_404(learner_import_jobs_for(request.user), pk=pk)
    result = job_result(job)
    errors = result.errors if result else []
    rows_done = job_rows_done(job)
    context = {
        "job": job,
        "result": result,
        "rows_done": rows_done,
        "percent": round(100 * rows_done / job.rows_total) if job.rows_total else 0,
        "errors_shown": errors[:MAX_ERRORS_SHOWN],
        "errors_hidden": max(len(errors) - MAX_ERRORS_SHOWN, 0),
    }
    # htmx polls while the job runs and swaps in only the progress section.
    template = (
        "centres/_learner_import_job.html"
        if request.headers.get("HX-Request")
        else "centres/learner_import_job.html"
    )
    return render(request, template, context)


@require_GET
@body_role_required(BodyRole.DATA_ADMIN)
def learner_import_template(request):
    response = StreamingHttpResponse(example_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learner-import-example.csv"'
    return response
