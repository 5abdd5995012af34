"""The Customer Data Administrator's learner import."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from .access import body_role_required
from .forms_import import LearnerImportForm
from .importing import COLUMNS, example_csv_lines, learners_import
from .models import BodyRole

# A file full of mistakes would otherwise make a page nobody can read.
MAX_ERRORS_SHOWN = 200


@require_http_methods(["GET", "POST"])
@body_role_required(BodyRole.DATA_ADMIN)
def learner_import(request):
    result = None
    if request.method == "POST":
        form = LearnerImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = learners_import(actor=request.user, file=form.cleaned_data["file"])
            if result.file_error:
                form.add_error("file", result.file_error)
    else:
        form = LearnerImportForm()
    errors = result.errors if result else []
    return render(
        request,
        "centres/learner_import.html",
        {
            "form": form,
            "result": result,
            "columns": COLUMNS,
            "errors_shown": errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(errors) - MAX_ERRORS_SHOWN, 0),
        },
    )


@require_GET
@body_role_required(BodyRole.DATA_ADMIN)
def learner_import_template(request):
    response = StreamingHttpResponse(example_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="learner-import-example.csv"'
    return response
