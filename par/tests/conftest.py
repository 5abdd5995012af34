import random

import pytest

from centres.demo import add_learners
from par.locks import _providers


@pytest.fixture
def units(world):
    """The world's qualification's units, in code order."""
    return list(world.qualification.units.order_by("code"))


@pytest.fixture
def registration(world):
    return world.learner.registrations.get()


@pytest.fixture
def many_learners(world):
    """Bulk-add N current learners on the world's qualification at our centre."""

    def make(count):
        return add_learners(world.centre, world.qualification, count, rng=random.Random(count))

    return make


@pytest.fixture
def lock_provider():
    """Register a lock provider holding the given selection ids, for one test."""
    held: dict[int, str] = {}

    def provider(ids):
        return {i: held[i] for i in ids if i in held}

    _providers.append(provider)
    yield held
    _providers.remove(provider)
