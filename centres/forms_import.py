from django import forms
from django.conf import settings


class LearnerImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select the CSV file of learners to import"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at request time so a changed limit shows without a restart (and in tests).
        self.fields[
            "file"
        ].help_text = f"A CSV file saved as UTF-8, at most {settings.HUB_MAX_IMPORT_MB} MB."
