"""R-CLM-6: on a full-award candidate's page, exactly the units claimed before are greyed out
(the class the claims CSS greys, over Bootstrap's table rule; seen in the browser test
hub/tests/browser/test_forms_and_focus.py)."""

import re

from django.urls import reverse

from .conftest import start_claim, submitted_claim


def row_classes(html: str) -> dict[str, str]:
    """Each grid row's unit code (its row header) and its class attribute."""
    rows = re.findall(r"<tr data-grid-row([^>]*)>\s*<th scope=\"row\">([^<]+)</th>", html)
    return {code.strip(): attrs for attrs, code in rows}


def test_r_clm_6_rows_claimed_before_and_only_those_carry_the_grey_class(cw, member_client):
    submitted_claim(cw)  # unit 0 claimed for every candidate
    claim = start_claim(cw)
    url = reverse("claims:candidate-edit", args=[claim.pk, cw.full.pk])
    rows = row_classes(member_client.get(url).content.decode())
    assert set(rows) == {unit.code for unit in cw.units}
    assert "claim-row-blocked" in rows[cw.units[0].code]
    assert all("claim-row-blocked" not in rows[unit.code] for unit in cw.units[1:])
