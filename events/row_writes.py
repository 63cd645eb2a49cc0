"""Writing one record's row the way every record service must: locked, only the fields
that change, `updated_at` bumped, and its event appended last, in one transaction.

Services (deals/services.py, activities/services.py) describe their record type with a
`RecordKind` and call `row_lock`, then `row_update` (or `row_insert`, `row_delete`).
Two requests meeting on one row: on PostgreSQL the second waits on the row lock and
then reads the first one's result; on SQLite every writing transaction is IMMEDIATE, so
it already holds the database's write lock when it reads. Each UPDATE is conditional
too (`guard`), so a rule checked on the row read still holds when the row is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from events.models import Source
from events.services import EventDraft, changes_between, event_append, events_append
from lib.errors import StateConflict

# Never in `changes` (contract, "Events"): timestamps the write itself sets.
ALWAYS_DERIVED = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class RecordKind:
    """How a service reads, represents and records one record type."""

    model: type[models.Model]
    record_type: str  # the event's `record.type`
    represent: Callable[[models.Model], dict]  # the API representation
    derived: frozenset = frozenset()  # computed API fields, left out of `changes`
    prefetch: tuple = ()  # what `represent` reads of other tables, for bulk paths

    def changes(self, before: dict, after: dict) -> dict:
        """`{field: [before, after]}` of the fields a client sets."""
        skip = ALWAYS_DERIVED | self.derived
        return changes_between(
            {k: v for k, v in before.items() if k not in skip},
            {k: v for k, v in after.items() if k not in skip},
        )


def row_lock(kind: RecordKind, record) -> models.Model:
    """The stored row of `record`, locked until the transaction ends (one query).
    StateConflict when it was deleted meanwhile. Call inside `transaction.atomic()`.

    No joins: PostgreSQL re-checks a locked row's join conditions against the other
    tables' old rows after waiting, so a concurrent change of a foreign key (a move)
    would make the row vanish from the result."""
    queryset = kind.model.objects.for_account(record.account_id).select_for_update()
    current = queryset.filter(pk=record.pk).first()
    if current is None:
        raise StateConflict(f"This {kind.record_type} was deleted meanwhile.")
    return current


def refreshed(record, current):
    """Give the caller's instance `record` the locked row's values too (by setattr, so
    a changed foreign key drops its cached object), and return the row."""
    if record is not current:
        for field in record._meta.concrete_fields:
            setattr(record, field.attname, getattr(current, field.attname))
    return current


def values_that_change(current, data: dict) -> dict:
    """The items of `data` (model field name: value) that differ from the row."""
    changed = {}
    for name, value in data.items():
        field = current._meta.get_field(name)
        stored = getattr(current, field.attname)
        new = value.pk if isinstance(value, models.Model) else value
        if stored != new:
            changed[name] = value
    return changed


def row_update(
    kind: RecordKind,
    *,
    current,
    by,
    source: Source,
    action: str,
    values: dict,
    guard: dict | None = None,
    conflict: str = "",
) -> bool:
    """Write `values` (only fields that change) to the locked row `current`, bump
    `updated_at`, and append the `<type>.<action>` event with what changed. `guard`
    (field: value) must still hold in the row, else StateConflict(`conflict`). False,
    and nothing written, when `values` is empty."""
    if not values:
        return False
    before = kind.represent(current)
    values = {**values, "updated_at": timezone.now()}
    rows = (
        kind.model.objects.for_account(current.account_id)
        .filter(pk=current.pk, **(guard or {}))
        .update(**values)
    )
    if rows == 0:
        raise StateConflict(conflict or f"This {kind.record_type} changed meanwhile.")
    for name, value in values.items():
        setattr(current, name, value)
    after = kind.represent(current)
    event_append(
        account=current.account_id,
        by=by,
        source=source,
        record_type=kind.record_type,
        record_id=current.pk,
        action=action,
        changes=kind.changes(before, after),
        data=after,
    )
    return True


def row_insert(kind: RecordKind, *, record, by, source: Source) -> None:
    """Insert the new `record` and append its `<type>.created` event (its `data` is the
    whole record; `changes` stays empty, as nothing existed before)."""
    with transaction.atomic():
        record.save(force_insert=True)
        event_append(
            account=record.account_id,
            by=by,
            source=source,
            record_type=kind.record_type,
            record_id=record.pk,
            action="created",
            data=kind.represent(record),
        )


def row_delete(kind: RecordKind, *, current, by, source: Source) -> None:
    """Delete the locked row `current`; its `<type>.deleted` event carries the record
    as it was just before."""
    before = kind.represent(current)
    record_id = current.pk
    current.delete()
    event_append(
        account=current.account_id,
        by=by,
        source=source,
        record_type=kind.record_type,
        record_id=record_id,
        action="deleted",
        data=before,
    )


def rows_delete(kind: RecordKind, *, queryset, by, source: Source) -> int:
    """Delete the rows of `queryset`, each `<type>.deleted` event
    carrying its record as it was; how many were deleted. Locks them all first, in id
    order, and appends the events in one batch last, so a bulk delete never holds the
    account's event turn while it waits for a row. A constant number of queries, plus
    what `represent` costs per row."""
    with transaction.atomic():
        # Lock the rows alone (no joins: see row_lock; PostgreSQL refuses FOR UPDATE
        # on the nullable side of an outer join anyway), then fetch what they link to.
        rows = list(queryset.select_related(None).select_for_update().order_by("pk"))
        if not rows:
            return 0
        models.prefetch_related_objects(rows, *kind.prefetch)
        drafts = [
            EventDraft(
                record_type=kind.record_type,
                record_id=row.pk,
                action="deleted",
                data=kind.represent(row),
            )
            for row in rows
        ]
        # The admin's selection may span a staff member's several accounts.
        kind.model.objects.for_accounts({row.account_id for row in rows}).filter(
            pk__in=[row.pk for row in rows]
        ).delete()
        for account_id in {row.account_id for row in rows}:
            events_append(
                account=account_id,
                by=by,
                source=source,
                drafts=[
                    d for d, row in zip(drafts, rows, strict=True) if row.account_id == account_id
                ],
            )
        return len(rows)
