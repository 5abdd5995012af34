"""Every write to a moderation batch.

Each service is keyword-only and atomic, takes the acting user, locks the batch row
(select_for_update) and re-checks what it needs under the lock, so two clicks at once give
one change and one clear message. Status changes go through the transitions declared on
``Batch`` (R-BAT-7) and write a ``BatchHistory`` row in the same transaction (R-NEW-3);
``batch_transition_recorded`` is sent inside it (receivers queue follow-up work in the
outbox) and ``batch_transitioned`` once it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from centres.audit import audit, register_history
from centres.models import (
    Approval,
    BodyRole,
    Centre,
    Membership,
    Qualification,
    Role,
    Route,
    User,
)
from hub import fsm
from par.models import Result, UnitSelection
from par.services import selections_record_result

from . import files, notices
from .models import (
    AWAITING_MODERATOR,
    CENTRE_DELETABLE,
    DELETION_REQUESTABLE,
    DOCUMENTS_EDITABLE,
    OUTCOME_TRANSITIONS,
    OUTCOMES,
    OVERRIDE_CHANGEABLE,
    SAMPLE_PLANNABLE,
    SAMPLES_ADDABLE,
    SAMPLES_REMOVABLE,
    SLOT_ORDER_SOURCES,
    UNITS_EDITABLE,
    UNITS_REMOVABLE,
    Batch,
    BatchDocument,
    BatchHistory,
    BatchStatus,
    BatchUnit,
    CentreSampleRate,
    DocumentKind,
    HistoryEvent,
    SampleRule,
    is_centre_member,
)
from .selectors import (
    Reconciliation,
    batch_free_selections,
    batch_reconciliation,
    learner_search,
    selection_reasons,
)
from .signals import batch_transition_recorded, batch_transitioned


class BatchError(Exception):
    """A change the batch's status or the rules do not allow; the message is for the user."""


class BatchStateError(BatchError):
    """The batch is not in a status that allows this (it may have just moved on)."""


class BatchPermissionError(BatchError):
    """The acting user may not make this change."""


class NotReconciled(BatchError):
    """R-NEW-2, R-NEW-6: learner-units that no longer match the registrations."""

    def __init__(self, reconciliation: Reconciliation) -> None:
        self.reconciliation = reconciliation
        found = "; ".join(
            f"{count} learner-unit{'s' if count != 1 else ''}: {mismatch.says}"
            for mismatch, count in reconciliation.counts
        )
        super().__init__(
            f"The batch cannot be submitted: {found} Check your answers on the Submit Batch "
            "page and fix each one first."
        )


class SampleShortfall(BatchError):
    """R-BAT-6: fewer learner-units have work uploaded than the minimum sample."""

    def __init__(self, rule: SampleRule) -> None:
        self.rule = rule
        super().__init__(
            f"Upload learner work for {rule.shortfall} more learner-unit"
            f"{'s' if rule.shortfall != 1 else ''} before submitting: {rule.required} of "
            f"{rule.claimed} are needed ({rule.percent}%, {rule.reason}) and "
            f"{rule.uploaded} have work uploaded."
        )


# --- helpers ------------------------------------------------------------------------------
def _lock(batch: Batch | int) -> Batch:
    pk = batch.pk if isinstance(batch, Batch) else batch
    locked = Batch.objects.select_for_update().get(pk=pk)
    if locked.deleted_at is not None:
        raise BatchStateError(f"Batch {pk} has been deleted.")
    return locked


def _require_status(batch: Batch, allowed: Iterable[str], doing: str) -> None:
    if batch.status not in allowed:
        raise BatchStateError(
            f"Batch {batch.pk} is {batch.get_status_display()}: you cannot {doing} now."
        )


def _require_member(batch: Batch, actor: User) -> None:
    if not is_centre_member(batch, actor):
        raise BatchPermissionError("Only the centre's staff with Moderation access can do this.")


def _history(
    batch: Batch,
    actor: User,
    event: str,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    document: BatchDocument | None = None,
    action: str = "",
) -> BatchHistory:
    """Record a change to ``batch`` on the one audit path (R-NEW-3): the audit row and the
    batch's history row its page shows. ``action`` names it in the trail (batch.<event>)."""
    return audit(
        actor=actor,
        action=action or f"batch.{event}",
        subject=f"Batch {batch.pk}",
        before=from_status or None,
        after=to_status or None,
        reason=note or None,
        entity=batch,
        history={"event": event, "document": document},
    ).history


def _write_history(
    batch: Batch,
    *,
    actor: User,
    at: datetime,
    before: str,
    after: str,
    reason: str,
    event: str,
    document: BatchDocument | None = None,
) -> BatchHistory:
    return BatchHistory.objects.create(
        batch=batch,
        at=at,
        actor=actor,
        event=event,
        from_status=before,
        to_status=after,
        note=reason,
        document=document,
    )


# audit(entity=batch) writes the batch page's history row through this.
register_history(Batch, _write_history)


def _require_arrow(batch: Batch, name: str, doing: str) -> None:
    """Refuse, in the user's words, unless Batch declares the arrow ``name`` from here."""
    if not fsm.can_take(batch, name):
        raise BatchStateError(
            f"Batch {batch.pk} is {batch.get_status_display()}: you cannot {doing} now."
        )


def _transition_history(
    batch: Batch,
    *,
    actor: User,
    source: str,
    target: str,
    reason: str,
    name: str,
    document: BatchDocument | None = None,
) -> BatchHistory:
    return _history(
        batch,
        actor,
        HistoryEvent.TRANSITION,
        from_status=source,
        to_status=target,
        note=reason,
        document=document,
        action=f"batch.{name}",
    )


def _refusal(kind: str, batch: Batch) -> BatchError:
    if kind == fsm.STATE:
        return BatchStateError(
            f"Batch {batch.pk} is {batch.get_status_display()}: that step is not possible "
            "from here. The page may be out of date; reload it to see the batch as it is."
        )
    if kind == fsm.PERMISSION:
        return BatchPermissionError("You may not make this change to the batch.")
    return BatchError("The batch is not ready for that step yet.")


def _transition_recorded(batch: Batch, entry: BatchHistory, source: str) -> None:
    event = dict(
        batch_id=batch.pk,
        history_id=entry.pk,
        source=source,
        target=entry.to_status,
        actor_id=entry.actor_id,
    )
    # Follow-up work (certificates on Complete) is queued in this transaction...
    batch_transition_recorded.send(sender=Batch, **event)
    # ...and notifications go out once it has committed.
    transaction.on_commit(lambda: batch_transitioned.send(sender=Batch, **event))


# Every Batch transition goes through hub.fsm.transition: lock, check, move, history, hooks.
fsm.register_machine(
    Batch, history=_transition_history, refuse=_refusal, recorded=_transition_recorded
)


def _store(
    batch: Batch,
    *,
    actor: User,
    kind: str,
    upload: UploadedFile,
    batch_unit: BatchUnit | None = None,
    learner_p_number: str = "",
    checked: files.CheckedFile | None = None,
) -> BatchDocument:
    """Check ``upload`` and save it as the current file of its slot, keeping the old one.

    Callers pass ``checked`` from ``files.inspect_upload``, run before the batch row was
    locked: the content checks are the slow part and run once per upload.
    """
    if checked is None:
        checked = files.inspect_upload(upload, kind)
    files.check_placement(checked, kind, learner_p_number=learner_p_number)
    now = timezone.now()
    previous = None
    if kind in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF, DocumentKind.SAMPLE):
        slot = BatchDocument.objects.current().filter(batch=batch, kind=kind)
        if batch_unit is not None:
            slot = slot.filter(batch_unit=batch_unit)
        previous = slot.select_for_update().first()
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
    document = BatchDocument(
        batch=batch,
        kind=kind,
        batch_unit=batch_unit,
        original_name=files.safe_filename(upload.name),
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(upload.name or "upload", upload, save=False)
    # The stored copy is orphaned if the transaction rolls back; only the database row
    # makes a file reachable, so that costs disk space, never data.
    document.save()
    if previous is not None:
        previous.superseded_by = document
        previous.save(update_fields=["superseded_by"])
    label = DocumentKind(kind).label
    if batch_unit is not None:
        selection = batch_unit.selection
        label = (
            f"{label} for {selection.registration.learner.membership_number} {selection.unit.code}"
        )
    note = f"{label}: {document.original_name}"
    if previous is not None:
        note += f" (replaces {previous.original_name}, kept as an earlier version)"
    _history(
        batch,
        actor,
        HistoryEvent.DOCUMENT,
        from_status=batch.status,
        to_status=batch.status,
        note=note,
        document=document,
    )
    return document


# --- the centre's side --------------------------------------------------------------------
@transaction.atomic
def batch_create(*, actor: User, centre: Centre, qualification: Qualification) -> Batch:
    """Start a batch (R-BAT-1): a draft for one of the centre's batch-route qualifications."""
    if (
        not Membership.objects.active()
        .filter(user_id=actor.pk, centre=centre, can_moderation=True)
        .exists()
    ):
        raise BatchPermissionError("Only the centre's staff with Moderation access can do this.")
    if not Approval.objects.filter(
        centre=centre, qualification=qualification, qualification__route=Route.BATCH
    ).exists():
        raise BatchError(
            f"{centre.name} is not approved to submit batches for {qualification.code}."
        )
    batch = Batch.objects.create(centre=centre, qualification=qualification, created_by=actor)
    _history(batch, actor, HistoryEvent.CREATED, to_status=batch.status, action="batch.create")
    return batch


@transaction.atomic
def batch_upload_document(
    *, actor: User, batch: Batch, kind: str, upload: UploadedFile
) -> BatchDocument:
    """Upload or replace the IV feedback or the assessment brief (R-BAT-1, R-BAT-8)."""
    if kind not in (DocumentKind.IV_FEEDBACK, DocumentKind.BRIEF):
        raise BatchError("Only the IV feedback and the assessment brief are uploaded here.")
    checked = files.inspect_upload(upload, kind)
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, DOCUMENTS_EDITABLE, f"change the {DocumentKind(kind).label}")
    return _store(batch, actor=actor, kind=kind, upload=upload, checked=checked)


@transaction.atomic
def batch_set_documents(
    *,
    actor: User,
    batch: Batch,
    iv_feedback: UploadedFile | None = None,
    brief: UploadedFile | None = None,
    override: bool | None = None,
) -> dict[str, list[str]]:
    """The documents step: the uploads and the Quality Manager's override (R-BAT-1, 3).

    Each file stands on its own (issue 14): one that passes its checks is stored even when
    the other is refused, so a good upload is never lost for a bad one beside it. The refused
    files come back as messages by field, for the page to show beside them and to say which
    file was saved; a refusal of the step itself (status, permission) stores nothing.
    """
    refused = {}
    accepted = []
    for field, kind, upload in (
        ("iv_feedback", DocumentKind.IV_FEEDBACK, iv_feedback),
        ("brief", DocumentKind.BRIEF, brief),
    ):
        if upload is None:
            continue
        try:
            checked = files.inspect_upload(upload, kind)
            files.check_placement(checked, kind)
        except ValidationError as exc:
            refused[field] = exc.messages
        else:
            accepted.append((kind, upload, checked))
    batch = _lock(batch)
    _require_member(batch, actor)
    for kind, _upload, _checked in accepted:
        _require_status(batch, DOCUMENTS_EDITABLE, f"change the {DocumentKind(kind).label}")
    if override is not None and override != batch.override_documents:
        _set_override(batch, actor=actor, override=override)
    for kind, upload, checked in accepted:
        _store(batch, actor=actor, kind=kind, upload=upload, checked=checked)
    return refused


def _set_override(batch: Batch, *, actor: User, override: bool) -> None:
    """R-BAT-3: only a Quality Manager of the batch's centre may tick the override."""
    _require_status(batch, OVERRIDE_CHANGEABLE, "change the override")
    if (
        not Membership.objects.active()
        .filter(
            user_id=actor.pk,
            centre_id=batch.centre_id,
            role=Role.QUALITY_MANAGER,
            can_moderation=True,
        )
        .exists()
    ):
        raise BatchPermissionError(
            "Only the centre's Quality Manager can override the IV Feedback and Assessment "
            "Brief upload."
        )
    batch.override_documents = override
    batch.override_by = actor if override else None
    batch.override_at = timezone.now() if override else None
    batch.save(update_fields=["override_documents", "override_by", "override_at"])
    _history(
        batch,
        actor,
        HistoryEvent.OVERRIDE,
        from_status=batch.status,
        to_status=batch.status,
        note=(
            "IV Feedback and Assessment Brief upload overridden by the Quality Manager."
            if override
            else "Override of the IV Feedback and Assessment Brief upload withdrawn."
        ),
    )


def claimable_reasons(
    batch: Batch, selections: list[UnitSelection], *, on_batch: set[int] | None = None
) -> dict[int, str]:
    """Why each selection that cannot be claimed on ``batch`` cannot (R-BAT-4).

    A unit ``batch`` itself holds stays claimable; ``on_batch`` saves the query for them.
    """
    if on_batch is None:
        on_batch = set(
            BatchUnit.objects.filter(
                batch=batch, released_at__isnull=True, selection_id__in=[s.pk for s in selections]
            ).values_list("selection_id", flat=True)
        )
    return selection_reasons(results={s.pk: s.result for s in selections}, on_batch=on_batch)


ANALYZE_AFTER_ROWS = 5000  # a bulk tick or untick refreshes the statistics past this many


def _refresh_statistics(changed: int) -> None:
    """Re-sample BatchUnit's statistics after a bulk step changed ``changed`` rows.

    Otherwise PostgreSQL still plans for the table as it was: after 100,000 rows in, it
    would plan Submit's checks and the next pages as index probes repeated 100,000 times;
    after 100,000 out (dead until vacuumed), the next "tick all" as nested loops over a
    one-row estimate (110,190 rows: 3.8 s of PostgreSQL CPU against 2.3 s). Sampling takes
    ~0.1 s and counts this transaction's own changes. Only the table's owner may; for
    others it is a warning, no more.
    """
    if changed >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(BatchUnit._meta.db_table)}")


CLAIMED_MEANWHILE = "Another batch claimed some of these units a moment ago. Reload the page."


def _insert_units(batch: Batch, selections: QuerySet[UnitSelection], now: datetime) -> int:
    """Put ``selections`` on ``batch`` in one INSERT ... SELECT, whatever their number.

    Callers pass only selections no live batch holds (the batch row is locked, so a double
    click waits and then finds them held). A plain INSERT, not ON CONFLICT DO NOTHING: that
    probes every unique index before each of 100,000 rows. A unit another batch took since
    the SELECT began breaks the partial unique index (R-BAT-4) and nothing is inserted.
    The chosen selections are locked as they are read (FOR NO KEY UPDATE), so PAR cannot
    remove one before this commits: what a foreign key's per-row check would ensure, in
    the same pass. Each row gets its slot order (SLOT_ORDER_SOURCES) in the same statement.
    Returns the rows inserted.
    """
    chosen = selections.select_for_update(of=("self",), no_key=True).order_by()
    order = list(SLOT_ORDER_SOURCES)
    sql, params = chosen.values(
        chosen_id=F("pk"), **{name: F(source) for name, source in SLOT_ORDER_SOURCES.items()}
    ).query.sql_with_params()
    qn = connection.ops.quote_name
    # Every other column with a plain default gets it, as the ORM would write it: a field
    # added to BatchUnit later cannot make this statement insert NULL into a NOT NULL column.
    written = {"id", "batch_id", "claimed_at", "selection_id", *order}
    defaults = [
        (field.column, field.get_db_prep_save(field.get_default(), connection))
        for field in BatchUnit._meta.concrete_fields
        if field.column not in written and field.has_default() and not callable(field.default)
    ]
    columns = ", ".join(
        qn(c) for c in ("batch_id", "claimed_at", *(c for c, _ in defaults), "selection_id", *order)
    )
    chosen_columns = ", ".join(f"chosen.{qn(c)}" for c in ("chosen_id", *order))
    constants = ", ".join(["%s"] * (2 + len(defaults)))
    # No savepoint of its own: the error ends the caller's atomic block (every service here
    # runs in one), which rolls back as BatchError leaves it.
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(BatchUnit._meta.db_table)} ({columns}) "
                f"SELECT {constants}, {chosen_columns} FROM ({sql}) chosen",
                [
                    batch.pk,
                    connection.ops.adapt_datetimefield_value(now),
                    *(value for _, value in defaults),
                    *params,
                ],
            )
            return cursor.rowcount
    except IntegrityError:
        raise BatchError(CLAIMED_MEANWHILE) from None


def _delete_units(batch: Batch, selections: QuerySet[UnitSelection] | None = None) -> int:
    """Take ``selections`` (all when None) off a draft batch in one DELETE, whatever their number.

    Only a draft's units come here, and a draft has no learner work (R-BAT-5), so no file
    row hangs off them; Django's delete() would load every row first to look. The rows are
    found by the batch's own index, with the selections as a plain subquery, so the plan
    stays good even before the database has statistics for rows inserted a moment ago.
    """
    qn = connection.ops.quote_name
    sql = (
        f"DELETE FROM {qn(BatchUnit._meta.db_table)} "
        f"WHERE {qn('batch_id')} = %s AND {qn('released_at')} IS NULL"
    )
    params: list = [batch.pk]
    if selections is not None:
        chosen, chosen_params = selections.order_by().values("pk").query.sql_with_params()
        sql += f" AND {qn('selection_id')} IN ({chosen})"
        params += chosen_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _draft_for_selection(batch: Batch | int, actor: User) -> Batch:
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, UNITS_EDITABLE, "change the units on the batch")
    return batch


@transaction.atomic
def batch_select_units(
    *, actor: User, batch: Batch, add: Iterable[int] = (), remove: Iterable[int] = ()
) -> tuple[int, int]:
    """Tick (``add``) and untick (``remove``) PAR selections on a draft batch (R-BAT-4).

    The draft holds what is ticked from the first save, so ticks survive moving between
    pages and no other batch can take those units meanwhile. Refuses the whole change if
    any newly ticked unit cannot be claimed. Returns (added, removed); saving the same
    ticks twice changes nothing.
    """
    batch = _draft_for_selection(batch, actor)
    add, remove = set(add), set(remove) - set(add)
    removed = 0
    if remove:
        removed = _delete_units(batch, UnitSelection.objects.filter(pk__in=remove))
    held = set(
        batch.units.filter(released_at__isnull=True, selection_id__in=add).values_list(
            "selection_id", flat=True
        )
    )
    new = add - held
    if new:
        selections = list(
            UnitSelection.objects.filter(
                pk__in=new,
                registration__learner__centre_id=batch.centre_id,
                registration__qualification_id=batch.qualification_id,
                registration__is_current=True,
            ).select_related("registration__learner", "unit")
        )
        if len(selections) != len(new):
            raise BatchError(
                "Some ticked units are not selected on PAR for a current learner of this "
                "qualification. Reload the page and tick again."
            )
        reasons = claimable_reasons(batch, selections, on_batch=set())
        if reasons:
            refused = sorted(
                f"{s.registration.learner.membership_number} {s.unit.code}: {reasons[s.pk]}"
                for s in selections
                if s.pk in reasons
            )
            raise BatchError("These units cannot be claimed: " + "; ".join(refused[:10]) + ".")
        # A colleague's batch claiming one of these since the check above raises BatchError.
        _insert_units(batch, UnitSelection.objects.filter(pk__in=new), timezone.now())
    if new or removed:
        audit(
            actor=actor,
            centre=batch.centre,
            action="batch.units_select",
            subject=f"Batch {batch.pk}",
            added=len(new),
            removed=removed,
        )
    return len(new), removed


@transaction.atomic
def batch_add_all_matching(
    *, actor: User, batch: Batch, query: str = "", free_only: bool = False
) -> int:
    """Tick every unit free to claim for every learner the search finds, in one statement.

    The same learners as the page lists for ``query``, over all its pages (``free_only``
    leaves out only learners with nothing to add); passed units and units another batch or
    a claim holds are left out (R-BAT-4). Returns the learner-units added; a second call
    adds none.
    """
    batch = _draft_for_selection(batch, actor)
    added = _insert_units(batch, batch_free_selections(batch=batch, query=query), timezone.now())
    _refresh_statistics(added)
    if added:
        audit(
            actor=actor,
            centre=batch.centre,
            action="batch.units_add_matching",
            subject=f"Batch {batch.pk}",
            added=added,
            query=query,
            free_only=free_only,
        )
    return added


@transaction.atomic
def batch_remove_all_matching(
    *, actor: User, batch: Batch, query: str = "", free_only: bool = False
) -> int:
    """Untick every unit of every learner the search finds (all of them with no search).

    ``free_only`` changes nothing here: a learner it hides has no unit on this batch.
    """
    batch = _draft_for_selection(batch, actor)
    removed = _delete_units(
        batch,
        UnitSelection.objects.filter(learner_search(query, learner="registration__learner"))
        if query.split()
        else None,
    )
    _refresh_statistics(removed)
    if removed:
        audit(
            actor=actor,
            centre=batch.centre,
            action="batch.units_remove_matching",
            subject=f"Batch {batch.pk}",
            removed=removed,
            query=query,
        )
    return removed


@transaction.atomic
def batch_claim_units(*, actor: User, batch: Batch, selection_ids: Iterable[int]) -> int:
    """Claim learner-units for a draft batch (R-BAT-4); refuse all if any cannot be claimed."""
    ids = set(selection_ids)
    if not ids:
        raise BatchError("Tick at least one unit to pass on the batch.")
    return batch_select_units(actor=actor, batch=batch, add=ids)[0]


@transaction.atomic
def batch_submit_units(
    *,
    actor: User,
    batch: Batch,
    selection_ids: Iterable[int] = (),
    remove_ids: Iterable[int] = (),
) -> Batch:
    """ "Submit" on Select Units to Pass on Batch: Centre Completing (R-BAT-5).

    ``selection_ids`` and ``remove_ids`` are the last page's ticks and unticks; the batch
    claims those with every unit saved from the other pages.
    """
    batch = _lock(batch)
    _require_status(batch, UNITS_EDITABLE, "change the units on the batch")
    missing = batch.missing_documents()
    if missing and not batch.override_documents:
        raise BatchError(f"Upload the {' and the '.join(missing)} first (R-BAT-1).")
    batch_select_units(actor=actor, batch=batch, add=selection_ids, remove=remove_ids)
    units = batch.units.filter(released_at__isnull=True)
    count = units.count()
    if not count:
        raise BatchError("Tick at least one unit to pass on the batch.")
    # From the passed selections (a few) to the batch's unique index, not a join of every
    # learner-unit on the batch: the usual answer, none, is then as quick as any.
    passed = (
        UnitSelection.objects.exclude(result="")
        .filter(Exists(units.filter(selection_id=OuterRef("pk"))))
        .count()
    )
    if passed:
        raise BatchError(
            f"{passed} ticked unit{'s have' if passed != 1 else ' has'} been passed since it "
            "was ticked (R-BAT-4). Reload the page: passed units cannot be claimed."
        )
    fsm.transition(batch, "submit_units", actor=actor, reason=f"{count} learner-units claimed.")
    return batch


def _batch_unit(batch: Batch, batch_unit: BatchUnit | int) -> BatchUnit:
    pk = batch_unit.pk if isinstance(batch_unit, BatchUnit) else batch_unit
    try:
        return BatchUnit.objects.select_related(
            "selection__registration__learner", "selection__unit"
        ).get(pk=pk, batch=batch, released_at__isnull=True)
    except BatchUnit.DoesNotExist:
        raise BatchError("That learner-unit is not on this batch.") from None


@transaction.atomic
def batch_upload_sample(
    *, actor: User, batch: Batch, batch_unit: BatchUnit | int, upload: UploadedFile
) -> BatchDocument:
    """Upload or overwrite the learner work in one slot (R-BAT-5, R-BAT-8)."""
    checked = files.inspect_upload(upload, DocumentKind.SAMPLE)
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, SAMPLES_ADDABLE, "upload learner work")
    unit = _batch_unit(batch, batch_unit)
    return _store(
        batch,
        actor=actor,
        kind=DocumentKind.SAMPLE,
        upload=upload,
        batch_unit=unit,
        learner_p_number=unit.selection.registration.learner.membership_number,
        checked=checked,
    )


@transaction.atomic
def batch_remove_sample(*, actor: User, batch: Batch, batch_unit: BatchUnit | int) -> None:
    """The "X": take a slot's file off the batch; it stays as an earlier version (R-NEW-4)."""
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, SAMPLES_REMOVABLE, "remove learner work")
    unit = _batch_unit(batch, batch_unit)
    document = (
        BatchDocument.objects.current()
        .select_for_update()
        .filter(batch=batch, kind=DocumentKind.SAMPLE, batch_unit=unit)
        .first()
    )
    if document is None:
        raise BatchError("There is no file in that slot.")
    document.superseded_at = timezone.now()
    document.save(update_fields=["superseded_at"])
    selection = unit.selection
    _history(
        batch,
        actor,
        HistoryEvent.DOCUMENT_REMOVED,
        from_status=batch.status,
        to_status=batch.status,
        note=(
            f"Learner work for {selection.registration.learner.membership_number} "
            f"{selection.unit.code} removed: {document.original_name} (kept as an earlier version)"
        ),
        document=document,
    )


@transaction.atomic
def batch_submit(*, actor: User, batch: Batch) -> Batch:
    """ "Submit Batch": send it to the moderators once the sample is met (R-BAT-6)."""
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_arrow(batch, "submit", "submit the batch")
    missing = batch.missing_documents()
    if missing and not batch.override_documents:
        raise BatchError(f"Upload the {' and the '.join(missing)} first (R-BAT-1).")
    # R-NEW-6: what the page listed is checked again here, under the lock, so a forged or
    # stale POST cannot send learner-units that no longer match the registrations.
    reconciliation = batch_reconciliation(batch=batch, examples=0)
    if not reconciliation.clean:
        raise NotReconciled(reconciliation)
    rule = batch.sample_rule()
    if not rule.met:
        raise SampleShortfall(rule)
    fsm.transition(
        batch,
        "submit",
        actor=actor,
        reason=f"Sample: {rule.uploaded} of {rule.claimed} learner-units ({rule.required} required).",
    )
    return batch


@transaction.atomic
def batch_remove_unit(*, actor: User, batch: Batch, batch_unit: BatchUnit | int) -> BatchUnit:
    """Take one learner-unit off a batch before "Submit Batch" (R-NEW-2).

    For a line that does not reconcile (a learner no longer current, say), as the whole
    batch could be deleted now (R-BAT-9). The unit is released, so PAR, another batch or a
    claim may take it again; its learner work stays as an earlier version (R-NEW-4).
    """
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, UNITS_REMOVABLE, "take learner-units off the batch")
    unit = _batch_unit(batch, batch_unit)
    if not batch.units.filter(released_at__isnull=True).exclude(pk=unit.pk).exists():
        raise BatchError(
            "This is the only learner-unit on the batch: delete the batch instead of removing it."
        )
    now = timezone.now()
    kept = (
        BatchDocument.objects.current()
        .select_for_update()
        .filter(batch=batch, kind=DocumentKind.SAMPLE, batch_unit=unit)
        .first()
    )
    if kept is not None:
        kept.superseded_at = now
        kept.save(update_fields=["superseded_at"])
    unit.released_at = now
    unit.save(update_fields=["released_at"])
    selection = unit.selection
    learner = selection.registration.learner
    _history(
        batch,
        actor,
        HistoryEvent.UNIT_REMOVED,
        from_status=batch.status,
        to_status=batch.status,
        note=(
            f"{learner.full_name} ({learner.membership_number}) {selection.unit.code} taken off "
            "the batch"
            + (
                f"; the learner work {kept.original_name} is kept as an earlier version"
                if kept
                else ""
            )
            + "."
        ),
        document=kept,
    )
    return unit


@transaction.atomic
def batch_plan_sample(
    *, actor: User, batch: Batch, batch_unit_ids: Iterable[int], suggested: int | None = None
) -> int:
    """R-SMP-1: make ``batch_unit_ids`` the batch's slots to fill (none: clear them).

    The centre accepts "Suggest a sample" as it is, changes it, or ignores it; what it
    accepts replaces any earlier choice. ``suggested`` (the suggestion's size) only words
    the history row. Two updates and a count, whatever the batch's size.
    """
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, SAMPLE_PLANNABLE, "choose the slots to fill")
    ids = set(batch_unit_ids)
    live = BatchUnit.objects.filter(batch=batch, released_at__isnull=True)
    if ids and live.filter(pk__in=ids).count() != len(ids):
        raise BatchError("Some of the learner-units chosen are no longer on this batch.")
    live.filter(to_fill=True).exclude(pk__in=ids).update(to_fill=False)
    if ids:
        live.filter(pk__in=ids, to_fill=False).update(to_fill=True)
    if not ids:
        note = "Slots to fill cleared."
    else:
        note = f"{len(ids)} slot{'s' if len(ids) != 1 else ''} to fill chosen"
        if suggested is not None:
            note += f" (the suggested sample had {suggested})"
        note += "."
    _history(
        batch,
        actor,
        HistoryEvent.SAMPLE_PLANNED,
        from_status=batch.status,
        to_status=batch.status,
        note=note,
    )
    return len(ids)


@transaction.atomic
def batch_resubmit(*, actor: User, batch: Batch) -> Batch:
    """ "Resubmit" after Returned for editing or Insufficient sample (R-BAT-8)."""
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_arrow(batch, "resubmit", "resubmit the batch")
    waiting = top_up_missing(batch)
    if waiting:
        raise BatchError(
            f"Upload learner work for the {waiting} learner-unit{'s' if waiting != 1 else ''} "
            "the moderator asked for (marked “Top-up asked for”) before resubmitting (R-SMP-3)."
        )
    missing = batch.missing_documents()
    if missing and not batch.override_documents:
        raise BatchError(f"Upload the {' and the '.join(missing)} first (R-BAT-1).")
    fsm.transition(batch, "resubmit", actor=actor)
    notices.batch_resubmitted(batch=batch)
    return batch


def _release_units(batch: Batch, now: datetime) -> int:
    return batch.units.filter(released_at__isnull=True).update(released_at=now)


@transaction.atomic
def batch_delete(*, actor: User, batch: Batch) -> Batch:
    """The centre deletes its batch, only before it is submitted (R-BAT-9).

    The learner-units are released at once; the uploaded files stay until an admin
    removes the batch for good (R-NEW-4).
    """
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, CENTRE_DELETABLE, "delete the batch (ask the awarding body instead)")
    now = timezone.now()
    released = _release_units(batch, now)
    batch.deleted_at = now
    batch.deleted_by = actor
    membership = Membership.objects.filter(user_id=actor.pk, centre_id=batch.centre_id).first()
    batch.deleted_by_role = membership.get_role_display() if membership else ""
    batch.save(update_fields=["deleted_at", "deleted_by", "deleted_by_role"])
    _history(
        batch,
        actor,
        HistoryEvent.DELETED,
        from_status=batch.status,
        to_status=batch.status,
        note=f"Deleted by the centre; {released} learner-units released.",
        action="batch.delete",
    )
    return batch


@transaction.atomic
def batch_request_deletion(*, actor: User, batch: Batch, reason: str) -> Batch:
    """Ask the awarding body to delete a submitted batch (R-BAT-9); units stay locked."""
    batch = _lock(batch)
    _require_member(batch, actor)
    _require_status(batch, DELETION_REQUESTABLE, "request deletion")
    reason = reason.strip()
    if not reason:
        raise BatchError("Say why the batch should be deleted.")
    if batch.deletion_requested_at is not None:
        raise BatchStateError(f"Deletion of batch {batch.pk} has already been requested.")
    batch.deletion_requested_at = timezone.now()
    batch.deletion_requested_by = actor
    batch.deletion_reason = reason
    batch.save(update_fields=["deletion_requested_at", "deletion_requested_by", "deletion_reason"])
    _history(
        batch,
        actor,
        HistoryEvent.DELETION_REQUESTED,
        from_status=batch.status,
        to_status=batch.status,
        note=reason,
    )
    notices.batch_deletion_requested(batch=batch)
    return batch


AWARDING_BODY_ADMIN = "Awarding body administrator"


@transaction.atomic
def batch_admin_delete(*, actor: User, batch: Batch, reason: str = "") -> Batch:
    """An awarding-body admin deletes a batch for good: units released, files removed.

    The batch stays as a tombstone the centre still sees (R-BAT-9): when, by whom (the
    role, never the name) and why: ``reason``, else the centre's own request's reason.
    """
    if not actor.is_staff:
        raise BatchPermissionError("Only the awarding body's administrators can do this.")
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.is_complete:
        raise BatchStateError(
            f"Batch {batch.pk} is Complete and its results are on the PAR; it cannot be deleted."
        )
    now = timezone.now()
    released = _release_units(batch, now)
    if batch.deleted_at is None:
        batch.deleted_at = now
        batch.deleted_by = actor
        # A batch the centre deleted itself keeps its deleter: only its files go now.
        batch.deleted_by_role = AWARDING_BODY_ADMIN
    batch.files_purged_at = now
    reason = reason.strip()
    if not reason and batch.deletion_reason:
        reason = f"At the centre's request: {batch.deletion_reason}"
    batch.deleted_reason = reason
    batch.save(
        update_fields=[
            "deleted_at",
            "deleted_by",
            "files_purged_at",
            "deleted_by_role",
            "deleted_reason",
        ]
    )
    _history(
        batch,
        actor,
        HistoryEvent.DELETED,
        from_status=batch.status,
        to_status=batch.status,
        note=f"Deleted by the awarding body; {released} learner-units released; files removed."
        + (f" Reason: {reason}" if reason else ""),
        action="batch.admin_delete",
    )
    notices.batch_deleted(batch=batch)
    names = list(batch.documents.values_list("file", flat=True))

    def purge() -> None:
        # Storage is slow I/O and cannot roll back: only after the deletion has committed.
        storage = BatchDocument._meta.get_field("file").storage
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(purge)
    return batch


# --- the moderator's side -----------------------------------------------------------------
@transaction.atomic
def batch_take(*, actor: User, batch: Batch) -> Batch:
    """A moderator takes an unassigned batch from the queue."""
    if actor.body_role != BodyRole.MODERATOR:
        raise BatchPermissionError("Only moderators can take batches.")
    batch = _lock(batch)
    _require_status(batch, AWAITING_MODERATOR, "take the batch")
    if batch.moderator_id is not None:
        raise BatchStateError(
            f"Batch {batch.pk} has already been taken by {batch.moderator}."
            if batch.moderator_id != actor.pk
            else f"Batch {batch.pk} is already yours."
        )
    return _assign(batch, actor=actor, moderator=actor)


@transaction.atomic
def batch_assign(*, actor: User, batch: Batch, moderator: User) -> Batch:
    """An awarding-body admin assigns (or reassigns) a moderator."""
    if not actor.is_staff:
        raise BatchPermissionError("Only the awarding body's administrators can assign batches.")
    if moderator is not None and moderator.body_role != BodyRole.MODERATOR:
        raise BatchError(f"{moderator} is not a moderator.")
    batch = _lock(batch)
    if batch.moderator_id == getattr(moderator, "pk", None):
        return batch
    return _assign(batch, actor=actor, moderator=moderator)


def _assign(batch: Batch, *, actor: User, moderator: User) -> Batch:
    batch.moderator = moderator
    batch.assigned_at = timezone.now() if moderator else None
    batch.save(update_fields=["moderator", "assigned_at"])
    _history(
        batch,
        actor,
        HistoryEvent.ASSIGNED,
        from_status=batch.status,
        to_status=batch.status,
        note=f"Assigned to {moderator}." if moderator else "Moderator unassigned.",
    )
    notices.batch_assigned(batch=batch, actor=actor)
    return batch


def _top_up_units(batch: Batch, outcome: str, top_up: Sequence[tuple[str, str]]) -> list[int]:
    """R-SMP-3: the batch's live learner-units named by (P number, unit code); a name that
    is not on the batch is refused in words. One query, however many are named."""
    if not top_up:
        return []
    if outcome != BatchStatus.INSUFFICIENT_SAMPLE:
        raise ValidationError(
            {"top_up": ["Learner-units to add go with Insufficient sample only."]}
        )
    wanted = {(p.upper(), u.upper()): None for p, u in top_up}
    rows = batch.units.filter(
        released_at__isnull=True,
        selection__registration__learner__membership_number__in={p for p, _ in wanted},
        selection__unit__code__in={u for _, u in wanted},
    ).values_list(
        "pk", "selection__registration__learner__membership_number", "selection__unit__code"
    )
    for pk, p_number, code in rows:
        if (p_number.upper(), code.upper()) in wanted:
            wanted[(p_number.upper(), code.upper())] = pk
    missing = [f"{p} {u}" for (p, u), pk in wanted.items() if pk is None]
    if missing:
        raise ValidationError(
            {
                "top_up": [
                    f"Not on this batch: {', '.join(missing)}. Check the P number and unit code."
                ]
            }
        )
    return list(wanted.values())


def top_up_missing(batch: Batch) -> int:
    """How many learner-units the moderator asked for (R-SMP-3) still have no file."""
    return (
        batch.units.filter(released_at__isnull=True, top_up=True)
        .exclude(Exists(_current_sample_of(OuterRef("pk"))))
        .count()
    )


def _current_sample_of(batch_unit_ref: int | OuterRef) -> QuerySet[BatchDocument]:
    return BatchDocument.objects.current().filter(
        batch_unit=batch_unit_ref, kind=DocumentKind.SAMPLE
    )


@transaction.atomic
def batch_set_outcome(
    *,
    actor: User,
    batch: Batch,
    outcome: str,
    comments: str = "",
    comments_file: UploadedFile | None = None,
    top_up: Sequence[tuple[str, str]] = (),
) -> Batch:
    """The assigned moderator's outcome, with a comments document and/or text (R-BAT-8).

    Complete passes every claimed learner-unit on the PAR (R-BAT-10, R-PAR-2). With
    Insufficient sample, ``top_up`` names (P number, unit code) learner-units whose work the
    centre must add before it may resubmit (R-SMP-3).
    """
    if outcome not in OUTCOMES:
        raise BatchError("Choose Returned for editing, Insufficient sample or Complete.")
    comments = comments.strip()
    if not comments and comments_file is None:
        raise ValidationError(
            {"comments": ["Add your comments: upload a comments document, write them, or both."]}
        )
    checked = None
    if comments_file is not None:
        try:
            checked = files.inspect_upload(comments_file, DocumentKind.COMMENTS)
        except ValidationError as exc:
            raise ValidationError({"comments_file": exc.messages}) from None
    batch = _lock(batch)
    if batch.moderator_id != actor.pk or actor.body_role != BodyRole.MODERATOR:
        raise BatchPermissionError("Only the moderator assigned to this batch can set its outcome.")
    _require_status(batch, AWAITING_MODERATOR, "set an outcome")
    top_up_ids = _top_up_units(batch, outcome, top_up)
    document = None
    if comments_file is not None:
        document = _store(
            batch, actor=actor, kind=DocumentKind.COMMENTS, upload=comments_file, checked=checked
        )
    fsm.transition(
        batch,
        OUTCOME_TRANSITIONS[outcome],
        actor=actor,
        reason=comments,
        record={"document": document},
    )
    if top_up_ids:
        batch.units.filter(pk__in=top_up_ids).update(top_up=True)
        _history(
            batch,
            actor,
            HistoryEvent.TOP_UP,
            from_status=batch.status,
            to_status=batch.status,
            note="Learner-units to add: " + ", ".join(f"{p} {u}" for p, u in top_up) + ".",
        )
    if batch.is_complete:
        selections_record_result(
            selection_ids=list(
                batch.units.filter(released_at__isnull=True).values_list("selection_id", flat=True)
            ),
            result=Result.PASS,
            source=f"Batch {batch.pk}",
            at=batch.completed_at,
            actor=actor,
        )
    notices.batch_outcome(batch=batch, comments=comments)
    return batch


@transaction.atomic
def batch_extend_sla(*, actor: User, batch: Batch, due: datetime, reason: str) -> Batch:
    """An awarding-body admin moves the moderation due date (R-SLA-1), with a reason.

    Only while the clock runs (With Moderator, Centre re-submitted). The new date and the
    reason are kept on the batch for both sides to see, and in its history (R-NEW-3); the
    deadline alerts follow the new date.
    """
    if not actor.is_staff:
        raise BatchPermissionError("Only the awarding body's administrators can change the SLA.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"sla_extension_reason": ["Say why the due date changes."]})
    batch = _lock(batch)
    _require_status(batch, AWAITING_MODERATOR, "change the SLA due date")
    if batch.sla_due_at == due:
        raise BatchError("That is already the due date.")
    previous = batch.sla_due_at
    batch.sla_due_at = due
    batch.sla_extended_at = timezone.now()
    batch.sla_extension_reason = reason
    batch.save(update_fields=["sla_due_at", "sla_extended_at", "sla_extension_reason"])
    before = timezone.localtime(previous).strftime("%d/%m/%Y %H:%M") if previous else "no due date"
    _history(
        batch,
        actor,
        HistoryEvent.SLA_EXTENDED,
        from_status=batch.status,
        to_status=batch.status,
        note=(
            f"SLA due date changed from {before} to "
            f"{timezone.localtime(due).strftime('%d/%m/%Y %H:%M')}: {reason}"
        ),
        action="batch.sla_extend",
    )
    notices.batch_sla_extended(batch=batch)
    return batch


# --- the awarding body's settings -----------------------------------------------------------
@transaction.atomic
def centre_sample_rate_set(
    *, actor: User, centre: Centre, percent: int, note: str
) -> CentreSampleRate:
    """An awarding-body admin sets one centre's sample rate, replacing R-BAT-6's default.

    The note says why; the change is in the audit trail with the rate before and after.
    """
    if not actor.is_staff:
        raise BatchPermissionError("Only the awarding body's administrators can set sample rates.")
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": ["Give a percentage from 1 to 100."]})
    rate = CentreSampleRate.objects.select_for_update().filter(centre=centre).first()
    before = rate.percent if rate is not None else None
    if rate is None:
        rate = CentreSampleRate(centre=centre)
    elif (rate.percent, rate.note) == (percent, note):
        return rate
    rate.percent, rate.note = percent, note
    rate.set_by, rate.set_at = actor, timezone.now()
    rate.save()
    audit(
        actor=actor,
        centre=centre,
        action="batch.sample_rate_set",
        subject=f"Sample rate for {centre.number}",
        before=before,
        after=percent,
        reason=note,
    )
    return rate


@transaction.atomic
def centre_sample_rate_remove(*, actor: User, rate: CentreSampleRate) -> None:
    """Remove a centre's own rate: its batches go back to R-BAT-6's default."""
    if not actor.is_staff:
        raise BatchPermissionError("Only the awarding body's administrators can set sample rates.")
    rate = CentreSampleRate.objects.select_for_update().select_related("centre").get(pk=rate.pk)
    audit(
        actor=actor,
        centre=rate.centre,
        action="batch.sample_rate_remove",
        subject=f"Sample rate for {rate.centre.number}",
        before=rate.percent,
        after=None,
        reason=rate.note,
    )
    rate.delete()
