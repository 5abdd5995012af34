"""Fixtures shared by every app's tests: the three personas and their neighbours."""

from dataclasses import dataclass

import pytest

from centres.models import BodyRole, Role
from centres.tests.factories import (
    ApprovalFactory,
    CentreFactory,
    LearnerFactory,
    MembershipFactory,
    QualificationFactory,
    RegistrationFactory,
    UserFactory,
)

# Playwright fixtures for every app's tests/browser/ (page, browser; helpers login, axe);
# a real S3 server (moto), SMTP server (aiosmtpd) and a Redis to stop, for the tests marked
# "services".
pytest_plugins = ["testsupport.browser", "testsupport.s3", "testsupport.smtp", "testsupport.redis"]

ALL_GRANTS = dict(
    can_par=True, can_moderation=True, can_claims=True, can_learners=True, can_staff=True
)
WORK_GRANTS = dict(can_par=True, can_moderation=True, can_claims=True, can_learners=True)


@dataclass
class World:
    """Two centres and one person in every role, as the access matrix needs them.

    ``centre`` is "our" centre (A). ``outsider`` is the Programme Director of ``other_centre``
    (B): a fully granted user who must still see nothing of A.
    """

    centre: object
    other_centre: object
    qualification: object
    learner: object
    other_learner: object
    users: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def make_world() -> World:
    centre = CentreFactory(name="Northgate College")
    other_centre = CentreFactory(name="Riverside Training")
    qualification = QualificationFactory(units=4)
    ApprovalFactory(centre=centre, qualification=qualification)
    ApprovalFactory(centre=other_centre, qualification=qualification)

    def member(key, centre_, role, grants):
        user = UserFactory(email=f"{key}@example.test")
        MembershipFactory(user=user, centre=centre_, role=role, **grants)
        return user

    users = {
        "director": member("director", centre, Role.PROGRAMME_DIRECTOR, ALL_GRANTS),
        "admin": member("admin", centre, Role.CENTRE_ADMINISTRATOR, WORK_GRANTS),
        "tutor": member("tutor", centre, Role.TUTOR, dict(can_par=True)),
        "quality": member("quality", centre, Role.QUALITY_MANAGER, WORK_GRANTS),
        "outsider": member("outsider", other_centre, Role.PROGRAMME_DIRECTOR, ALL_GRANTS),
        "moderator": UserFactory(email="moderator@example.test", body_role=BodyRole.MODERATOR),
        "assessor": UserFactory(email="assessor@example.test", body_role=BodyRole.ASSESSOR),
        "data": UserFactory(email="data@example.test", body_role=BodyRole.DATA_ADMIN),
        "staff": UserFactory(email="staff@example.test", is_staff=True, is_superuser=True),
    }
    learner = RegistrationFactory(
        learner=LearnerFactory(centre=centre, last_name="Ashworth"), qualification=qualification
    ).learner
    other_learner = RegistrationFactory(
        learner=LearnerFactory(centre=other_centre, last_name="Beaumont"),
        qualification=qualification,
    ).learner
    return World(centre, other_centre, qualification, learner, other_learner, users)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Files uploaded by tests land in a throwaway folder, never in var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def member_client(client, world):
    """A client logged in as the centre's Centre Administrator (PAR, Moderation, Claims, Learners)."""
    client.force_login(world.admin)
    return client
