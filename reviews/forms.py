"""The review pages' forms: the centre's request, the reviewer's decision (R-REV-1, R-REV-2)."""

from __future__ import annotations

from django import forms

from .files import inspect_evidence, max_evidence_bytes
from .models import ReviewStatus

REASONS_MAX = 5000
COMMENTS_MAX = 5000


class EvidenceField(forms.FileField):
    """The optional evidence file, checked by content, name and size as the form is cleaned
    (R-NEW-5), outside any transaction; the service reuses the answer kept on the upload."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            inspect_evidence(upload)
        return upload


class ReviewRequestForm(forms.Form):
    """ "Request a review": the reasons (required) and one file of evidence (optional)."""

    reasons = forms.CharField(
        label="Why should the outcome be reviewed?",
        help_text="Say which learners and units you think were judged wrongly, and why.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=REASONS_MAX,
        error_messages={
            "required": "Enter why the outcome should be reviewed",
            "max_length": f"The reasons must be {REASONS_MAX:,} characters or fewer",
        },
    )
    evidence = EvidenceField(
        label="Evidence (optional)",
        required=False,
        help_text="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = (
            "One file: a PDF, Word, Excel, PowerPoint or OpenDocument file, an image, or a zip "
            f"of several. At most {max_evidence_bytes() // (1024 * 1024)} MB."
        )

    def clean_reasons(self) -> str:
        reasons = self.cleaned_data["reasons"].strip()
        if not reasons:
            raise forms.ValidationError("Enter why the outcome should be reviewed")
        return reasons


DECISIONS = [
    (ReviewStatus.UPHELD.value, "Upheld: the outcome stands"),
    (ReviewStatus.OUTCOME_CHANGED.value, "Outcome changed: set the new results below"),
]


def result_field_name(key: str) -> str:
    """The form field of one learner-unit's new result; the services' errors use it too."""
    return f"result-{key}"


class ReviewDecisionForm(forms.Form):
    """The reviewer's decision: Upheld with comments, or Outcome changed with a new result
    for each learner-unit affected (R-REV-2, R-REV-3).

    One select per learner-unit on the page shown (``units``); the results chosen on other
    pages travel with the form in a hidden field, read by the view.
    """

    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Upheld or Outcome changed"},
    )
    comments = forms.CharField(
        label="Comments",
        help_text="Required with Upheld; the centre sees them with the decision.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=COMMENTS_MAX,
        error_messages={"max_length": f"The comments must be {COMMENTS_MAX:,} characters or fewer"},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[result_field_name(unit.key)] = forms.ChoiceField(
                label=f"New result for {unit.learner_name} ({unit.p_number}) {unit.unit_code}",
                choices=unit.choices,
                initial=unit.result,
                required=False,
            )

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewStatus.UPHELD and not (data.get("comments") or "").strip():
            self.add_error("comments", "Enter your comments on the decision")
        return data

    def unit_fields(self):
        """(unit, bound field) for each learner-unit on the page, for the table's rows."""
        return [(unit, self[result_field_name(unit.key)]) for unit in self.units]
