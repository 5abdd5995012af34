import factory
from factory.django import DjangoModelFactory

from centres.models import Grading, Route
from centres.tests.factories import CentreFactory, QualificationFactory, RegistrationFactory
from claims.models import AssessorAssignment, CentreAssessor, Claim, ClaimLine, Grade


class ClaimQualificationFactory(QualificationFactory):
    """A claim-route, Pass/Merit/Distinction qualification (4 units unless told)."""

    route = Route.CLAIM
    grading = Grading.PMD


class CentreAssessorFactory(DjangoModelFactory):
    class Meta:
        model = CentreAssessor

    centre = factory.SubFactory(CentreFactory)
    qualification = factory.SubFactory(ClaimQualificationFactory)
    name = factory.Sequence(lambda n: f"Teacher {n}")
    initials = factory.Sequence(lambda n: f"T{n % 1000}")


class ClaimFactory(DjangoModelFactory):
    """A claim; pass ``status`` to start it further along (tests only)."""

    class Meta:
        model = Claim

    centre = factory.SubFactory(CentreFactory)
    qualification = factory.SubFactory(ClaimQualificationFactory)
    contact_email = "exams@centre.test"


class ClaimLineFactory(DjangoModelFactory):
    class Meta:
        model = ClaimLine

    claim = factory.SubFactory(ClaimFactory)
    registration = factory.SubFactory(
        RegistrationFactory,
        learner__centre=factory.SelfAttribute("...claim.centre"),
        qualification=factory.SelfAttribute("..claim.qualification"),
    )
    unit = factory.LazyAttribute(
        lambda o: o.claim.qualification.qualification_units.order_by("position").first().unit
    )
    grade = Grade.PASS
    assessor = factory.SubFactory(
        CentreAssessorFactory,
        centre=factory.SelfAttribute("..claim.centre"),
        qualification=factory.SelfAttribute("..claim.qualification"),
    )


class AssessorAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = AssessorAssignment

    centre = factory.SubFactory(CentreFactory)
