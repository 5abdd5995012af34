"""Unit selection: the Personal Academic Record (PAR)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from centres.models import EntryType, QualificationUnit, Registration, Unit


class Result(models.TextChoices):
    PASS = "pass", "Pass"
    MERIT = "merit", "Merit"
    DISTINCTION = "distinction", "Distinction"


class UnitSelectionQuerySet(models.QuerySet):
    def for_centre(self, centre):
        return self.filter(registration__learner__centre=centre)

    def achieved(self):
        return self.exclude(result="")


class UnitSelection(models.Model):
    """A unit chosen for assessment for one registration; later carries its result (R-PAR-2)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="unit_selections"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="selections")
    selected_at = models.DateTimeField(default=timezone.now)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(max_length=20, choices=Result.choices, blank=True, default="")
    result_at = models.DateTimeField(null=True, blank=True)
    result_source = models.CharField(
        max_length=100, blank=True, help_text="Where the result came from, e.g. 'Batch 12'."
    )

    objects = UnitSelectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "unit"], name="unitselection_unique")
        ]
        ordering = ["registration", "unit__code"]

    def __str__(self) -> str:
        return f"{self.unit.code} for {self.registration}"

    def save(self, *args, **kwargs):
        # R-PAR-5 holds for every single save, not only for forms; bulk writes go through
        # par.services, which checks the same rule set-wise before bulk_create.
        if self._state.adding:
            self.clean()
        super().save(*args, **kwargs)

    @property
    def is_achieved(self) -> bool:
        return bool(self.result)

    def clean(self):
        eligibility_error = selection_ineligibility(self.registration, self.unit_id)
        if eligibility_error:
            raise ValidationError(eligibility_error)


# R-PAR-5, the one place it is written: why a unit may not be selected for a registration.
NOT_AT_CENTRE = "A learner in the selection is not registered at this centre."
NOT_CURRENT = "the registration on this qualification is not current"
NOT_IN_QUALIFICATION = "the unit is not in the qualification"
NOT_ENTERED = "the learner has no unit entry for this unit"


def selection_refusals(
    pairs, *, centre_id: int | None = None
) -> dict[tuple[int, int], tuple[str, str]]:
    """R-PAR-5 for many (registration id, unit id) pairs at once, in three queries.

    Returns {pair: (membership number, reason)} for the pairs that may not be selected; a
    registration not found (or, with ``centre_id``, at another centre) has an empty
    membership number and the reason ``NOT_AT_CENTRE``.
    """
    pairs = set(pairs)
    registrations = Registration.objects.filter(pk__in={r for r, _ in pairs})
    if centre_id is not None:
        registrations = registrations.filter(learner__centre_id=centre_id)
    found = {
        pk: (number, is_current, entry_type, qualification_id)
        for pk, number, is_current, entry_type, qualification_id in registrations.values_list(
            "pk", "learner__membership_number", "is_current", "entry_type", "qualification_id"
        )
    }
    in_qualification = set(
        QualificationUnit.objects.filter(
            qualification_id__in={row[3] for row in found.values()}
        ).values_list("qualification_id", "unit_id")
    )
    entered = set(
        Registration.entered_units.through.objects.filter(
            registration_id__in=[pk for pk, row in found.items() if row[2] == EntryType.UNIT]
        ).values_list("registration_id", "unit_id")
    )
    refusals = {}
    for registration_id, unit_id in pairs:
        row = found.get(registration_id)
        if row is None:
            refusals[(registration_id, unit_id)] = ("", NOT_AT_CENTRE)
            continue
        number, is_current, entry_type, qualification_id = row
        if not is_current:
            refusals[(registration_id, unit_id)] = (number, NOT_CURRENT)
        elif (qualification_id, unit_id) not in in_qualification:
            refusals[(registration_id, unit_id)] = (number, NOT_IN_QUALIFICATION)
        elif entry_type == EntryType.UNIT and (registration_id, unit_id) not in entered:
            refusals[(registration_id, unit_id)] = (number, NOT_ENTERED)
    return refusals


def selection_ineligibility(registration: Registration, unit_id: int) -> str:
    """Why ``unit_id`` cannot be selected on ``registration`` (R-PAR-5), or ''."""
    refusal = selection_refusals([(registration.pk, unit_id)]).get((registration.pk, unit_id))
    if refusal is None:
        return ""
    reason = refusal[1]
    return reason[0].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
