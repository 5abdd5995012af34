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


def selection_ineligibility(registration: Registration, unit_id: int) -> str:
    """Why ``unit_id`` cannot be selected on ``registration`` (R-PAR-5), or ''."""
    if not registration.is_current:
        return "The learner's registration on this qualification is not current."
    if not QualificationUnit.objects.filter(
        qualification_id=registration.qualification_id, unit_id=unit_id
    ).exists():
        return "This unit is not part of the learner's qualification."
    if (
        registration.entry_type == EntryType.UNIT
        and not registration.entered_units.filter(pk=unit_id).exists()
    ):
        return "The learner has no unit entry for this unit."
    return ""
