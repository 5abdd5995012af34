"""Status fields that change only through their transitions, safely under threads.

django-fsm-2's ``protected=True`` refuses ``obj.status = ...`` once the object is loaded,
and its ``FSMModelMixin.refresh_from_db`` lets the refresh through by switching the flag
off and back on *on the field*, which every instance in every thread shares. A request
refreshing a batch while another thread assigns the status of a freshly loaded one then
sees the flag in the wrong state ("Direct status modification is not allowed": a 500 on a
read-only page). Here the permission to overwrite lives on the instance being refreshed,
so no thread can see another's.

Transitions are unaffected: django-fsm writes the new state with ``field.set_state``,
which bypasses the descriptor.
"""

from __future__ import annotations

import typing

from django.db import models
from django_fsm import FSMField, FSMFieldDescriptor

# Set in an instance's __dict__ only while that instance is being refreshed.
_REFRESHING = "_hub_fsm_refreshing"


class _StatusDescriptor(FSMFieldDescriptor):
    def __set__(self, instance: models.Model, value: typing.Any) -> None:
        loaded = self.field.name in instance.__dict__
        if loaded and not instance.__dict__.get(_REFRESHING):
            raise AttributeError(f"Direct {self.field.name} modification is not allowed")
        self.field.set_proxy(instance, value)
        self.field.set_state(instance, value)


class StatusField(FSMField):
    """An FSMField that only its transitions (or a refresh from the database) may change."""

    descriptor_class = _StatusDescriptor

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        kwargs.pop("protected", None)
        super().__init__(*args, **kwargs)
        # The library's shared flag stays off: the descriptor above does the protecting,
        # and FSMModelMixin (if anything still used it) would find nothing to flip.
        self.protected = False

    def deconstruct(self):
        # Migrations describe the column, which is the library's protected FSMField; saying
        # so keeps the schema history unchanged and the migrations free of this module.
        name, _path, args, kwargs = super().deconstruct()
        kwargs["protected"] = True
        return name, "django_fsm.FSMField", args, kwargs


class StatusModelMixin:
    """Lets ``refresh_from_db`` reload a ``StatusField`` of this one instance only."""

    def refresh_from_db(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        previous = self.__dict__.get(_REFRESHING, False)
        self.__dict__[_REFRESHING] = True
        try:
            super().refresh_from_db(*args, **kwargs)
        finally:
            if previous:
                self.__dict__[_REFRESHING] = previous
            else:
                self.__dict__.pop(_REFRESHING, None)
