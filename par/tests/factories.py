import factory
from factory.django import DjangoModelFactory

from par.models import UnitSelection


class UnitSelectionFactory(DjangoModelFactory):
    """A selection; pass ``registration`` and ``unit`` (a unit of its qualification)."""

    class Meta:
        model = UnitSelection

    registration = None
    unit = None
    selected_by = None
    result = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("unit") is None:
            registration = kwargs["registration"]
            kwargs["unit"] = registration.qualification.units.order_by("code").first()
        return super()._create(model_class, *args, **kwargs)


__all__ = ["UnitSelectionFactory", "factory"]
