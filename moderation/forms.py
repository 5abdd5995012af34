from __future__ import annotations

from django import forms

from centres.models import Qualification, Route

from . import files
from .models import OUTCOMES, BatchStatus, DocumentKind


class CheckedFileField(forms.FileField):
    """A file field whose upload is checked by content as the form is cleaned (R-BAT-2).

    The checks run here, in the request and outside any transaction, so the batch row is
    never locked while a file is read; the service reuses the answer kept on the upload.
    """

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            files.inspect_upload(upload, self.kind)
        return upload


class NewBatchForm(forms.Form):
    qualification = forms.ModelChoiceField(
        queryset=Qualification.objects.none(),
        empty_label="Choose a qualification",
        help_text="The qualification whose learners' work this batch carries.",
        error_messages={"required": "Choose a qualification"},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.filter(
            approvals__centre=centre, route=Route.BATCH, is_active=True
        ).order_by("code")


class DocumentsForm(forms.Form):
    iv_feedback = CheckedFileField(
        kind=DocumentKind.IV_FEEDBACK,
        label="IV Feedback",
        required=False,
        help_text="One file; zip several IV feedback documents together.",
    )
    brief = CheckedFileField(
        kind=DocumentKind.BRIEF,
        label="Assessment Brief",
        required=False,
        help_text="One file; zip several assessment briefs together.",
    )
    override = forms.BooleanField(
        label="Override IV Feedback and Assessment Brief Upload",
        required=False,
        help_text="Only with the Quality Manager's permission.",
    )

    def __init__(self, *args, can_override: bool, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("iv_feedback", "brief"):
            self.fields[name].help_text += f" At most {max_mb} MB."
        if not can_override:
            # R-BAT-3: the tick box is for the Quality Manager only (the service checks too).
            del self.fields["override"]

    def clean(self):
        data = super().clean()
        # "Upload documents" with no file chosen (and the override left as it was) did
        # nothing: say so, rather than "Documents saved.".
        nothing_chosen = not data.get("iv_feedback") and not data.get("brief")
        if nothing_chosen and "override" not in self.changed_data and not self.errors:
            self.add_error(
                "iv_feedback", "Select the IV feedback file or the assessment brief file to upload"
            )
        return data


class SampleForm(forms.Form):
    file = CheckedFileField(
        kind=DocumentKind.SAMPLE,
        label="Learner work",
        error_messages={"required": "Select the learner's work file"},
    )


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why should this batch be deleted?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why this batch should be deleted",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class OutcomeForm(forms.Form):
    # The "add your comments" error is about the two comment fields: the summary links there.
    error_anchors = {"__all__": "id_comments"}

    outcome = forms.ChoiceField(
        choices=[(s.value, s.label) for s in BatchStatus if s in OUTCOMES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the moderation"},
    )
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    comments_file = CheckedFileField(
        kind=DocumentKind.COMMENTS, label="Comments document", required=False
    )
    # R-SMP-3: with Insufficient sample, the learner-units whose work the centre must add.
    top_up = forms.CharField(
        label="Learner-units to add (top-up, optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only with Insufficient sample: one a line, the learner's P number and the "
        "unit code, for example “P1234567 CMI501”. The centre sees them marked and cannot "
        "resubmit until each has learner work.",
        max_length=20_000,
        error_messages={"max_length": "Name at most 1,000 learner-units (20,000 characters)."},
    )

    def __init__(self, *args, kept=None, **kwargs):
        # A comments document kept from the last submit (moderation.held) counts as chosen.
        self.kept = kept
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        chosen = data.get("comments_file") or self.kept
        if not data.get("comments", "").strip() and not chosen:
            raise forms.ValidationError(
                "Add your comments: upload a comments document, write them, or both."
            )
        return data

    def clean_top_up(self) -> list[tuple[str, str]]:
        """The top-up's lines as (P number, unit code) pairs, each once, in the order typed."""
        pairs: list[tuple[str, str]] = []
        for number, line in enumerate(self.cleaned_data["top_up"].splitlines(), start=1):
            words = line.replace(",", " ").split()
            if not words:
                continue
            if len(words) != 2:
                raise forms.ValidationError(
                    f"Line {number} (“{line.strip()}”): write the P number and the unit code, "
                    "for example “P1234567 CMI501”."
                )
            pair = (words[0].upper(), words[1].upper())
            if pair not in pairs:
                pairs.append(pair)
        if pairs and self.cleaned_data.get("outcome") not in (
            None,
            BatchStatus.INSUFFICIENT_SAMPLE,
        ):
            raise forms.ValidationError(
                "Learner-units to add go with Insufficient sample only: choose it, or clear them."
            )
        return pairs


class SamplePlanForm(forms.Form):
    """R-SMP-1: "Suggest a sample" sent. It has no fields of its own: the view recomputes the
    suggestion and reads the unticked learner-units from the request (several pages' worth),
    and puts what is wrong here, so the page gets the error summary and "Error: " title."""
