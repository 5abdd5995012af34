from django import forms

from .models import CODE_LENGTH


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="Certificate number", max_length=30, help_text="For example C-7KQM4-XPAR9."
    )
    code = forms.CharField(
        label="Verification code",
        max_length=CODE_LENGTH + 6,
        help_text="The 12 letters and digits printed under the number; dashes are optional.",
    )
