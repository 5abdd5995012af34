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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models, transaction
from django_fsm import (
    ANY_OTHER_STATE,
    ANY_STATE,
    FSMField,
    FSMFieldDescriptor,
    Transition,
    can_proceed,
)

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


# --- One way to move a state machine --------------------------------------------------------
# Both state machines (moderation's Batch, claims' Claim) move through ``transition`` below:
# lock the row, ask the declarations whether the arrow exists from here, whether the actor's
# side may take it and whether its guards hold, take it, save, write the history row and let
# the caller queue follow-up work, all in one transaction. Each app registers how its model
# records a move and how a refusal reads (``register_machine``), so the messages stay the
# app's own while the steps are the same everywhere.

STATE = "state"  # no such arrow from the current status
PERMISSION = "permission"  # the actor's side may not take it
CONDITIONS = "conditions"  # the arrow exists but a guard does not hold yet


class HistoryWriter(typing.Protocol):
    """Records one move (``name`` is the transition taken); apps write it through their
    audit path (centres.audit.audit with the object as entity)."""

    def __call__(
        self,
        obj: typing.Any,
        *,
        actor: typing.Any,
        source: str,
        target: str,
        reason: str,
        name: str,
        **record: typing.Any,
    ) -> models.Model: ...


@dataclass(frozen=True)
class Machine:
    """How one model's moves are recorded (``history``) and refused (``refuse``).

    ``refuse(kind, obj)`` returns the exception to raise for STATE, PERMISSION or
    CONDITIONS; ``recorded(obj, history, source)`` runs inside the transaction after the
    history row is written (hooks such as signals that queue outbox work).
    """

    history: HistoryWriter
    refuse: Callable[[str, typing.Any], Exception]
    recorded: Callable[[typing.Any, models.Model, str], None] | None = None


_MACHINES: dict[type[models.Model], Machine] = {}


def register_machine(
    model: type[models.Model],
    *,
    history: HistoryWriter,
    refuse: Callable[[str, typing.Any], Exception],
    recorded: Callable[[typing.Any, models.Model, str], None] | None = None,
) -> None:
    """Say how ``model``'s transitions are recorded and refused (once, at import)."""
    _MACHINES[model] = Machine(history=history, refuse=refuse, recorded=recorded)


@dataclass(frozen=True)
class Moved:
    """What ``transition`` did: the locked object, the arrow taken and its history row."""

    obj: typing.Any
    source: str
    target: str
    history: models.Model


def _leaves(declared: Transition, state: str) -> bool:
    """Whether the declared arrow starts at ``state``."""
    if declared.source == ANY_OTHER_STATE:
        return declared.target != state
    return declared.source in (state, ANY_STATE)


def _declared(obj: models.Model, name: str, field: str) -> Transition | None:
    """The declared arrow ``name`` out of ``obj``'s current status, if there is one."""
    state = getattr(obj, field)
    for declared in getattr(obj, f"get_all_{field}_transitions")():
        if declared.name == name and _leaves(declared, state):
            return declared
    return None


def _lock(
    obj_or_pk: models.Model | int, model: type[models.Model] | None, field: str
) -> models.Model:
    """The row, locked for this transaction.

    Given a primary key, load it locked. Given an instance (callers that locked and checked
    it already, or set fields the transition saves), lock its row and refuse the move if
    the status on the row is no longer the one the instance shows: someone else moved it.
    """
    if not isinstance(obj_or_pk, models.Model):
        if model is None:
            raise TypeError("transition() needs model= when given a primary key")
        return model._default_manager.select_for_update().get(pk=obj_or_pk)
    obj = obj_or_pk
    on_row = (
        type(obj)
        ._default_manager.select_for_update()
        .filter(pk=obj.pk)
        .values_list(field, flat=True)
        .get()
    )
    if on_row != getattr(obj, field):
        obj.refresh_from_db(fields=[field])
    return obj


def transition(
    obj_or_pk: models.Model | int,
    method_name: str,
    *,
    actor: typing.Any,
    reason: str = "",
    model: type[models.Model] | None = None,
    field: str = "status",
    record: Mapping[str, typing.Any] | None = None,
    then: Callable[[Moved], None] | None = None,
    **kwargs: typing.Any,
) -> Moved:
    """Take the declared arrow ``method_name`` as ``actor``, in one transaction.

    Locks the row, refuses (with the registered app's exception) when the arrow does not
    leave the current status, when the actor's side may not take it, or when a guard does
    not hold; then calls the transition with ``kwargs``, saves, writes the history row
    (``reason`` and ``record`` go to the app's writer) and calls ``then`` so the caller can
    queue outbox work in the same transaction.
    """
    with transaction.atomic():
        obj = _lock(obj_or_pk, model, field)
        machine = _MACHINES.get(type(obj))
        if machine is None:
            raise LookupError(f"No state machine registered for {type(obj).__name__}")
        method = getattr(obj, method_name)
        declared = _declared(obj, method_name, field)
        if declared is None or not can_proceed(method, check_conditions=False):
            raise machine.refuse(STATE, obj)
        if not declared.has_perm(obj, actor):
            raise machine.refuse(PERMISSION, obj)
        if not can_proceed(method):
            raise machine.refuse(CONDITIONS, obj)
        source = getattr(obj, field)
        method(**kwargs)
        obj.save()
        target = getattr(obj, field)
        row = machine.history(
            obj,
            actor=actor,
            source=source,
            target=target,
            reason=reason,
            name=method_name,
            **(record or {}),
        )
        if machine.recorded is not None:
            machine.recorded(obj, row, source)
        moved = Moved(obj=obj, source=source, target=target, history=row)
        if then is not None:
            then(moved)
    return moved


def can_take(obj: models.Model, method_name: str, *, field: str = "status") -> bool:
    """Whether the arrow ``method_name`` leaves ``obj``'s current status (guards aside)."""
    return _declared(obj, method_name, field) is not None


def allowed_actions(
    obj: models.Model,
    user: typing.Any,
    *,
    field: str = "status",
    known: Mapping[typing.Any, bool] | None = None,
) -> frozenset[str]:
    """The transitions ``user`` may offer on ``obj`` now, by name, from the declarations.

    Guards are left to the step itself (its page says what is missing, e.g. the sample), so
    a button shows whenever the arrow exists and the user's side may take it. Each
    permission rule is asked once, however many arrows share it; ``known`` gives answers
    the caller already has, by rule (a page's own access check), so they are not asked again.
    """
    state = getattr(obj, field)
    asked: dict[typing.Any, bool] = dict(known or {})
    names = set()
    for declared in getattr(obj, f"get_all_{field}_transitions")():
        if not _leaves(declared, state):
            continue
        key = declared.permission
        if key not in asked:
            asked[key] = declared.has_perm(obj, user)
        if asked[key]:
            names.add(declared.name)
    return frozenset(names)
