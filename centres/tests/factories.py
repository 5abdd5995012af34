import datetime

import factory
from factory.django import DjangoModelFactory

from centres.models import (
    Approval,
    Centre,
    EntryType,
    Grading,
    Learner,
    Membership,
    Qualification,
    QualificationUnit,
    Registration,
    Role,
    Route,
    Unit,
    User,
)

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = Centre

    number = factory.Sequence(lambda n: f"{20000 + n}")
    name = factory.Sequence(lambda n: f"Centre {n}")
    contact_email = factory.Sequence(lambda n: f"centre{n}@example.test")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    role = Role.CENTRE_ADMINISTRATOR


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    title = factory.Sequence(lambda n: f"Unit {n}")
    level = 3
    credit = 6


class QualificationFactory(DjangoModelFactory):
    """A qualification with ``units`` units (default 4); the first one is mandatory."""

    class Meta:
        model = Qualification
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"Q{n:04d}")
    title = factory.Sequence(lambda n: f"Qualification {n}")
    level = 3
    route = Route.BATCH
    grading = Grading.PASS_ONLY

    @factory.post_generation
    def units(obj, create, extracted, **kwargs):
        if not create:
            return
        count = 4 if extracted is None else extracted
        for position in range(count):
            QualificationUnit.objects.create(
                qualification=obj, unit=UnitFactory(), mandatory=position == 0, position=position
            )


class ApprovalFactory(DjangoModelFactory):
    class Meta:
        model = Approval

    centre = factory.SubFactory(CentreFactory)
    qualification = factory.SubFactory(QualificationFactory)


class LearnerFactory(DjangoModelFactory):
    class Meta:
        model = Learner

    membership_number = factory.Sequence(lambda n: f"P{5000000 + n}")
    candidate_number = factory.Sequence(lambda n: f"{n:04d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2000, 5, 17)
    centre = factory.SubFactory(CentreFactory)


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    learner = factory.SubFactory(LearnerFactory)
    qualification = factory.SubFactory(QualificationFactory)
    is_current = True
    entry_type = EntryType.FULL
