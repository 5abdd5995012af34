from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.validators import MaxValueValidator

from .models import OUTCOME_CHOICES, CentreAssessor, Grade, initials_validator

INITIALS_MAX = 4
EMAIL_MESSAGES = {
    "required": "Enter a contact email address",
    "max_length": "The contact email address must be %(limit_value)d characters or fewer",
}

# "Not claiming" is the default on every row (R-CLM-4); it is the absence of a line.
GRADE_CHOICES = [
    (Grade.PASS, "Pass"),
    (Grade.MERIT, "Merit"),
    (Grade.DISTINCTION, "Distinction"),
    ("", "Not claiming"),
]
GRADE_NAMES = {Grade.PASS: "Pass", Grade.MERIT: "Merit", Grade.DISTINCTION: "Distinction"}


class QualificationSearchForm(forms.Form):
    q = forms.CharField(
        label="Entry code, title or part title",
        required=False,
        max_length=100,
        error_messages={"max_length": "The search must be %(limit_value)d characters or fewer"},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. 05839 or IT"}),
    )


class CentreAssessorForm(forms.ModelForm):
    class Meta:
        model = CentreAssessor
        fields = ["name", "initials"]
        help_texts = {
            "initials": "Up to 4 initials, unique within your centre, or a teacher code.",
        }
        error_messages = {
            "name": {
                "required": "Enter the centre assessor's name",
                "max_length": "The name must be %(limit_value)d characters or fewer",
            },
            "initials": {
                "required": "Enter the initials or teacher code",
                "max_length": f"Initials must be {INITIALS_MAX} characters or fewer",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # clean_initials checks them, the length first and alone, so "JSMITH" is refused
        # with the limit rather than cut to "JSMI" (no input gets maxlength, see
        # hub.forms.FormRenderer) or told both messages at once.
        self.fields["initials"].validators = []

    def clean_initials(self) -> str:
        initials = self.cleaned_data["initials"].strip()
        if len(initials) > INITIALS_MAX:
            raise forms.ValidationError(
                f"Initials must be {INITIALS_MAX} characters or fewer", code="max_length"
            )
        initials_validator(initials)
        return initials

    def validate_unique(self):
        # Uniqueness within the centre is checked by the service, which knows the centre.
        pass


class CentreAssessorEditForm(CentreAssessorForm):
    class Meta(CentreAssessorForm.Meta):
        fields = ["name", "initials", "is_active"]
        help_texts = {
            **CentreAssessorForm.Meta.help_texts,
            "is_active": "Only active centre assessors are offered on claim lines.",
        }


class ClaimDetailsForm(forms.Form):
    contact_email = forms.EmailField(
        label="Contact email",
        error_messages=EMAIL_MESSAGES,
        help_text="Use a generic address, e.g. exams@school.org, in case you are away.",
    )
    visit_date = forms.DateField(
        label="Planned moderation visit",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Entries are due 4 weeks, and the claim 2 weeks, before this date.",
        error_messages={"invalid": "Enter the visit date as a real date, like 21/03/2026"},
    )


class SubmitForm(forms.Form):
    contact_email = forms.EmailField(
        label="Contact email",
        error_messages=EMAIL_MESSAGES,
        help_text=(
            "The sample and completion emails go here. Use a generic address, e.g. "
            "exams@school.org. Changing it here does not change your profile."
        ),
    )
    declaration = forms.BooleanField(
        label=(
            "I confirm that signed candidate declarations authenticating the work of all the "
            "candidates on this claim are held by the centre."
        ),
        error_messages={"required": "Tick the centre declaration to submit the claim."},
    )


class OtherBodyUnitForm(forms.Form):
    unit = forms.TypedChoiceField(
        coerce=int, label="Unit", error_messages={"required": "Choose a unit"}
    )
    assessor = forms.TypedChoiceField(
        coerce=int, label="Centre assessor", error_messages={"required": "Choose a centre assessor"}
    )
    awarding_body = forms.CharField(
        label="Awarding body",
        max_length=150,
        error_messages={
            "required": "Enter the awarding body that gave the unit",
            "max_length": "The awarding body must be 150 characters or fewer",
        },
    )
    grade = forms.ChoiceField(
        label="Grade",
        choices=[(v, GRADE_NAMES[v]) for v in Grade.values],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a grade"},
    )

    def __init__(self, *args, units, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Choose a unit")] + [
            (u.pk, f"{u.code} {u.title}") for u in units
        ]
        self.fields["assessor"].choices = [("", "Choose a centre assessor")] + [
            (a.pk, str(a)) for a in assessors
        ]
        if len(assessors) == 1:
            self.fields["assessor"].initial = assessors[0].pk


@dataclass(frozen=True)
class GridChoice:
    """One radio or option of a grade grid row, as the template prints it."""

    value: str
    label: str
    id: str
    checked: bool


class GradeGridForm(forms.Form):
    """A grade and a centre assessor per row, for rows that can still be claimed.

    Rows are ``selectors.UnitRow``; each gets its bound fields as ``row.grade_field`` and
    ``row.assessor_field`` for the table template.
    """

    def __init__(self, *args, rows, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        assessor_choices = [("", "Choose…")] + [(str(a.pk), str(a)) for a in assessors]
        # R-CLM-4: with a single centre assessor, every row is pre-filled with them.
        default_assessor = str(assessors[0].pk) if len(assessors) == 1 else ""
        for row in rows:
            if row.disabled:
                continue
            line = row.line
            self.fields[f"grade-{row.key}"] = forms.ChoiceField(
                choices=GRADE_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=line.grade if line else "",
            )
            self.fields[f"assessor-{row.key}"] = forms.ChoiceField(
                choices=assessor_choices,
                required=False,
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "data-field": "assessor"}
                ),
                initial=str(line.assessor_id) if line else default_assessor,
            )
        for row in rows:
            if not row.disabled:
                row.grade_field = self[f"grade-{row.key}"]
                row.assessor_field = self[f"assessor-{row.key}"]
                self._prepare_widgets(row, assessor_choices)

    def _prepare_widgets(self, row, assessor_choices) -> None:
        """The row's radios and select as plain values, for the grid to print.

        Rendering 50 rows' widgets through Django's widget templates took most of a unit
        page's time; the grid prints the same HTML from these in one template loop.
        """
        grade = row.grade_field.value()
        grade = "" if grade is None else str(grade)
        assessor = row.assessor_field.value()
        assessor = "" if assessor is None else str(assessor)
        row.grade_name = row.grade_field.html_name
        row.grade_choices = [
            GridChoice(str(value), label, f"id_{row.grade_name}_{i}", str(value) == grade)
            for i, (value, label) in enumerate(GRADE_CHOICES)
        ]
        row.assessor_name = row.assessor_field.html_name
        row.assessor_id = f"id_{row.assessor_name}"
        row.assessor_options = [
            GridChoice(value, label, "", value == assessor) for value, label in assessor_choices
        ]

    def entries(self, pair_for) -> dict:
        """Map each editable row's pair to (grade, assessor id) from the cleaned data."""
        entries = {}
        for row in self.rows:
            if row.disabled:
                continue
            grade = self.cleaned_data[f"grade-{row.key}"]
            assessor = self.cleaned_data[f"assessor-{row.key}"]
            entries[pair_for(row)] = (grade, int(assessor) if assessor else None)
        return entries


def apply_to_rows_below(data, rows, instruction: str):
    """R-CLM-5 without JavaScript: copy one row's grade or assessor to the rows below it.

    ``instruction`` is "grade:<key>" or "assessor:<key>". Only rows after that one on this
    page change; rows above and other pages never do. Returns (new data, rows changed).
    """
    kind, _, key = instruction.partition(":")
    if kind not in ("grade", "assessor"):
        return data, 0
    keys = [row.key for row in rows if not row.disabled]
    if key not in keys:
        return data, 0
    data = data.copy()
    value = data.get(f"{kind}-{key}", "")
    below = keys[keys.index(key) + 1 :]
    for other in below:
        data[f"{kind}-{other}"] = value
    return data, len(below)


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why is the claim withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Enter why the claim is withdrawn"},
    )


class FinaliseForm(forms.Form):
    """The agreed outcome for each line after the visit (an amended grade, or withdrawn)."""

    note = forms.CharField(
        label="Note for the centre (optional)",
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"outcome-{line.pk}"] = forms.ChoiceField(
                choices=OUTCOME_CHOICES,
                initial=line.outcome or line.grade,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            line.outcome_field = self[f"outcome-{line.pk}"]

    def outcomes(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[f"outcome-{line.pk}"] for line in self.lines}


HISTORY_SORTS = {
    "number": "number",
    "qualification": "qualification__code",
    "status": "status",
    "created": "created_at",
    "submitted": "submitted_at",
    "processed": "processed_at",
    "reference": "reference",
    "lines": "line_count",
}


class HistoryFilterForm(forms.Form):
    qualification = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Qualification",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, qualifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].choices = [("", "All qualifications")] + [
            (q.pk, f"{q.code}: {q.title}") for q in qualifications
        ]


class SampleSizeForm(forms.Form):
    """R-SMP-2: how many candidate-units the assessor wants suggested for the visit."""

    size = forms.IntegerField(
        label="Sample size (candidate-units)",
        min_value=1,
        error_messages={
            "required": "Enter how many candidate-units to suggest.",
            "invalid": "Enter the sample size as a whole number, like 10.",
            "min_value": "Enter a sample size of at least 1.",
            "max_value": "Enter a sample size of at most %(limit_value)s: the claim has no "
            "more candidate-units to sample.",
        },
    )

    def __init__(self, *args, lines: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"].validators.append(MaxValueValidator(max(lines, 1)))
        self.fields["size"].widget.attrs.update({"inputmode": "numeric", "class": "form-control"})
