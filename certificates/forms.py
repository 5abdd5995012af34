from django import forms

from .models import CODE_LENGTH


class VerifyForm(forms.Form):
    number = forms.CharField(
        label="Certificate number",
        max_length=30,
        help_text="For example C-7KQM4-XPAR9.",
        error_messages={
            "required": "Enter the certificate number",
            "max_length": "The certificate number must be %(limit_value)d characters or fewer",
        },
    )
    code = forms.CharField(
        label="Verification code",
        max_length=CODE_LENGTH + 6,
        help_text="The 12 letters and digits printed under the number; dashes are optional.",
        error_messages={
            "required": "Enter the verification code",
            "max_length": "The verification code must be %(limit_value)d characters or fewer",
        },
    )


class PrintRunCreateForm(forms.Form):
    centre = forms.IntegerField(widget=forms.HiddenInput)


class PrintRunPostForm(forms.Form):
    carrier = forms.CharField(
        max_length=100,
        help_text="For example Royal Mail Tracked 24 or Parcelforce.",
        error_messages={
            "required": "Enter the carrier",
            "max_length": "The carrier must be 100 characters or fewer",
        },
    )
    tracking_reference = forms.CharField(
        label="Tracking reference",
        max_length=100,
        error_messages={
            "required": "Enter the tracking reference",
            "max_length": "The tracking reference must be 100 characters or fewer",
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text="Kept in the audit history.",
        error_messages={
            "required": "Enter the reason",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


class CertificateSearchForm(forms.Form):
    q = forms.CharField(
        label="Certificate or membership number",
        max_length=30,
        required=False,
        error_messages={"max_length": "The search must be %(limit_value)d characters or fewer"},
    )
