from django import forms

from .models import Membership, Role, Section


class StaffAccessForm(forms.Form):
    """A member's role and the sections they are granted (R-ACC-1)."""

    role = forms.ChoiceField(choices=Role.choices, error_messages={"required": "Choose a role"})
    sections = forms.TypedMultipleChoiceField(
        label="Sections",
        choices=Section.choices,
        coerce=Section,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The member sees only these sections on their home page.",
    )

    @classmethod
    def for_membership(cls, membership: Membership, data=None) -> "StaffAccessForm":
        initial = {"role": membership.role, "sections": membership.granted_sections}
        return cls(data, initial=initial)


class StaffInviteForm(StaffAccessForm):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the email address of the person to invite",
            "max_length": "The email address must be %(limit_value)d characters or fewer",
        },
    )
    first_name = forms.CharField(
        max_length=150,
        error_messages={
            "required": "Enter their first name",
            "max_length": "The first name must be 150 characters or fewer",
        },
    )
    last_name = forms.CharField(
        label="Surname",
        max_length=150,
        error_messages={
            "required": "Enter their surname",
            "max_length": "The surname must be 150 characters or fewer",
        },
    )

    field_order = ["email", "first_name", "last_name", "role", "sections"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
