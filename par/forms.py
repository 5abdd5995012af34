from django import forms

from . import selectors


class NameFilterForm(forms.Form):
    q = forms.CharField(
        label="Enter Membership Number or Surname",
        max_length=100,
        help_text="Part of a surname or a P number, e.g. smi or P10000.",
        error_messages={
            "required": "Enter a membership number or part of a surname",
            "max_length": "The membership number or surname must be 100 characters or fewer",
        },
    )


class ReadQualificationField(forms.ModelChoiceField):
    """A ModelChoiceField that takes the qualification its form has read already (``read``),
    rather than reading it a second time when it cleans the same value. Any other value is
    looked up in the qualifications ``allowed`` gives (the centre's), a queryset built only
    then: building it (an EXISTS) cost ~0.6 ms of CPU on every page, used or not. Until
    then it has none (the pages print their own options), so making a form does not clone
    one twice per field (ModelChoiceField's deep copy and its queryset setter)."""

    read = None
    allowed = None

    def to_python(self, value):
        if self.read is not None and str(value) == str(self.read.pk):
            return self.read
        if value not in self.empty_values and self.allowed is not None:
            self.queryset = self.allowed()
        return super().to_python(value)


class QualificationFilterForm(forms.Form):
    qualification = ReadQualificationField(
        label="Qualification",
        queryset=None,
        empty_label="Choose a qualification",
        error_messages={"required": "Choose a qualification"},
    )

    def __init__(self, *args, centre, listed=(), **kwargs):
        """``centre``: the field accepts its qualifications (centre_qualifications);
        ``listed``: the same as a list, for the page's select (centre_qualification_list)."""
        super().__init__(*args, **kwargs)
        field = self.fields["qualification"]
        field.allowed = lambda: selectors.centre_qualifications(centre)
        self.listed = listed
        raw = self.data.get("qualification") if self.is_bound else None
        if raw:
            # The page lists the qualifications anyway: the one chosen is taken from that
            # list rather than read again.
            field.read = next((q for q in listed if str(q.pk) == str(raw)), None)


class BulkUnitsForm(forms.Form):
    """Step one of Bulk Add Optional Units: a qualification and the units to give."""

    qualification = ReadQualificationField(
        label="Qualification",
        queryset=None,
        empty_label="Choose a qualification",
        error_messages={"required": "Choose a qualification"},
    )
    units = forms.TypedMultipleChoiceField(
        label="Units to add",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": "Tick at least one unit."},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        # The field accepts the centre's qualifications (centre_qualifications).
        self.fields["qualification"].allowed = lambda: selectors.centre_qualifications(centre)
        raw = (self.data if self.is_bound else self.initial).get("qualification")
        # The qualification (one of the centre's: as ``qualifications`` would find it) and
        # its units, in one statement (par.selectors.qualification_units).
        qualification, units = selectors.qualification_units(centre, raw)
        self.qualification = self.fields["qualification"].read = qualification
        # The page prints the unit boxes itself (ids bulk-unit-<unit id>, see bulk.html).
        self.error_anchors = {}
        self.fields["units"].choices = units
        if units:
            self.error_anchors["units"] = f"bulk-unit-{units[0][0]}"
