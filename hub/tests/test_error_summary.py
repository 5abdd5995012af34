"""The error summary (GOV.UK, issue 14): "There is a problem" at the top of any page whose
form has errors, a link to each field in error, "Error: " in the title, and messages that
say what to do."""

import re

import pytest
from django import forms
from django.urls import reverse

from claims.tests.conftest import make_claim_world
from hub.forms import field_anchor, summary_errors


def summary(response) -> list[tuple[str, str]]:
    """The summary's links as (href, text), in order; [] when the page has no summary."""
    html = response.content.decode()
    block = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", html, re.S)
    if not block:
        return []
    assert "There is a problem" in block.group(1)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block.group(1))


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def ids_on_page(response) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', response.content.decode()))


def assert_links_reach_fields(response, expected: list[tuple[str, str]]) -> None:
    assert summary(response) == expected
    assert title(response).startswith("Error: ")
    # Every link goes to an element on the page: the field as crispy printed it.
    for href, _ in expected:
        assert href[1:] in ids_on_page(response)


def test_batch_add_without_a_qualification(member_client):
    # As a browser sends it: the empty select, never an empty body.
    response = member_client.post(reverse("moderation:batch-add"), {"qualification": ""})
    assert_links_reach_fields(response, [("#id_qualification", "Choose a qualification")])


def test_a_page_without_errors_has_no_summary_and_a_plain_title(member_client):
    response = member_client.get(reverse("moderation:batch-add"))
    assert summary(response) == []
    assert "data-error-summary" not in response.content.decode()
    assert not title(response).startswith("Error: ")


def test_documents_with_no_file_chosen(member_client, world):
    from moderation.tests.factories import make_batch

    batch = make_batch(world, documents=False)
    response = member_client.post(
        reverse("moderation:batch-documents", args=[batch.pk]), {"iv_feedback": "", "brief": ""}
    )
    assert_links_reach_fields(
        response,
        [("#id_iv_feedback", "Select the IV feedback file or the assessment brief file to upload")],
    )


def test_claim_centre_assessor_with_nothing_typed(member_client, world):
    cw = make_claim_world(world)
    url = reverse("claims:centre-assessor-create", args=[cw.qualification.pk])
    response = member_client.post(url, {"name": "", "initials": ""})
    assert_links_reach_fields(
        response,
        [
            ("#id_name", "Enter the centre assessor&#x27;s name"),
            ("#id_initials", "Enter the initials or teacher code"),
        ],
    )


def test_staff_invite_with_nothing_typed(client, world):
    client.force_login(world.director)
    response = client.post(
        reverse("centres:staff-invite"), {"email": "", "first_name": "", "last_name": ""}
    )
    assert_links_reach_fields(
        response,
        [
            ("#id_email", "Enter the email address of the person to invite"),
            ("#id_first_name", "Enter their first name"),
            ("#id_last_name", "Enter their surname"),
            ("#id_role", "Choose a role"),
        ],
    )


def test_learner_import_without_a_file(client, world):
    client.force_login(world.data)
    response = client.post(reverse("centres:learner-import"), {"file": ""})
    assert_links_reach_fields(response, [("#id_file", "Select the CSV file of learners to import")])


class _Choices(forms.Form):
    ticks = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    hidden = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


def test_links_go_to_the_first_option_and_hidden_fields_get_no_link():
    form = _Choices(data={})
    assert field_anchor(form, "ticks") == "id_ticks_0"
    assert field_anchor(form, "radio") == "id_radio_0"
    assert field_anchor(form, "hidden") == ""
    errors = summary_errors({"form": form, "again": form, "other": "not a form"})
    # The form's own error first, linked to its first visible field; each form only once.
    assert [(e.field_id, e.message) for e in errors] == [
        ("id_ticks_0", "Something about the whole form"),
        ("id_ticks_0", "This field is required."),
        ("id_radio_0", "This field is required."),
        ("", "This field is required."),
        ("id_text", "This field is required."),
    ]


@pytest.mark.parametrize("data", [None, {"text": "x"}])
def test_an_unbound_or_valid_form_gives_no_summary(data):
    class Plain(forms.Form):
        text = forms.CharField()

    form = Plain(data=data)
    assert summary_errors({"form": form}) == []


def test_bulk_units_none_ticked_links_to_the_first_unit_box(member_client, world):
    """PAR Bulk prints its unit boxes itself: the form names their ids for the summary."""
    first = world.qualification.qualification_units.order_by("position", "unit__code").first()
    response = member_client.get(
        reverse("par:bulk"), {"qualification": world.qualification.pk, "list": "1"}
    )
    assert_links_reach_fields(
        response, [(f"#bulk-unit-{first.unit_id}", "Tick at least one unit.")]
    )
