from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self):
        # Accounts are stored lower-case; people type their address however they like.
        return self.cleaned_data["username"].strip().lower()


class LearnerSearchForm(forms.Form):
    q = forms.CharField(
        label="Surname or membership number",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Smith or P123456", "type": "search"}),
    )
