from centres.models import Section
from hub.tests.matrix import everyone, register, section_page
from par.models import UnitSelection


def _selection(world):
    registration = world.learner.registrations.get()
    unit = world.qualification.units.order_by("code").last()
    return UnitSelection.objects.create(registration=registration, unit=unit)


def _ticks(world):
    registration = world.learner.registrations.get()
    unit = world.qualification.units.order_by("code").last()
    return {"unit": [f"{registration.pk}:{unit.pk}"]}


register("par:index", expect=section_page(Section.PAR))
register("par:individual", expect=section_page(Section.PAR))
register(
    "par:individual",
    label="all",
    kwargs=lambda w: {},
    expect=section_page(Section.PAR),
)
register("par:add", expect=everyone(405), label="GET")
# The outsider posts our learner's registration: refused (nothing saved), never a 500.
register(
    "par:add", method="post", data=_ticks, expect=section_page(Section.PAR, ok=302), label="POST"
)
register(
    "par:remove",
    method="post",
    kwargs=lambda w: {"pk": _selection(w).pk},
    expect=section_page(Section.PAR, ok=302, scoped=True),
)
register("par:remove", label="GET", kwargs=lambda w: {"pk": _selection(w).pk}, expect=everyone(405))
register(
    "par:learner",
    kwargs=lambda w: {"pk": w.learner.pk},
    expect=section_page(Section.PAR, scoped=True),
)
register("par:bulk", expect=section_page(Section.PAR))
register("par:bulk-apply", expect=everyone(405), label="GET")
register(
    "par:bulk-apply",
    method="post",
    data=lambda w: {
        "qualification": w.qualification.pk,
        "units": [w.qualification.units.first().pk],
    },
    expect=section_page(Section.PAR, ok=302),
    label="POST",
)
