from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from hub import outbox

EMAIL_MESSAGES = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "The email address must be %(limit_value)d characters or fewer",
}


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        error_messages=EMAIL_MESSAGES,
    )
    # Django's field, with a message that says what to do (issue 14).
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def clean_username(self):
        # Accounts are stored lower-case; people type their address however they like.
        return self.cleaned_data["username"].strip().lower()


class OutboxPasswordResetForm(PasswordResetForm):
    """The "Forgotten password?" email is queued in the outbox and sent by a worker.

    Only who and where are stored; the worker makes the link's token when it sends, so no
    live token sits in the database and a mail server that refuses never fails the page.
    """

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_MESSAGES,
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # The link opens HUB_SITE_URL, like every other email's, never the request's Host
        # (behind a proxy or load balancer that is an internal name).
        site = urlsplit(settings.HUB_SITE_URL)
        outbox.enqueue(
            "centres.password_reset",
            user_pk=context["user"].pk,
            domain=site.netloc,
            site_name=context["site_name"],
            protocol=site.scheme,
        )


class LearnerSearchForm(forms.Form):
    q = forms.CharField(
        label="Surname or membership number",
        required=False,
        max_length=100,
        error_messages={"max_length": "The search must be %(limit_value)d characters or fewer"},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Smith or P123456", "type": "search"}),
    )
