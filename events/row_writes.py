"""Writing one record's row the way every record service must: locked, only the fields
that change, `updated_at` bumped, and its event appended last, in one transaction.

Services (deals/services.py, activities/services.py) describe their record type with a
`RecordKind` and call `row_lock`, then `row_update` (or `row_insert`; deletes go to the
trash, trash/services.py).
Two requests meeting on one row: on PostgreSQL the second waits on the row lock and
then reads the first one's result; on SQLite every writing transaction is IMMEDIATE, so
it already holds the database's write lock when it reads. Each UPDATE is conditional
too (`guard`), so a rule checked on the row read still holds when the row is written.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from events.kinds import RecordKind
from events.link_targets import lock_link_targets
from events.models import Source
from events.services import event_append
from lib.errors import StateConflict


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
    lock_link_targets(kind.model, current.account_id, values)
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
        lock_link_targets(
            kind.model,
            record.account_id,
            {f.name: getattr(record, f.attname) for f in kind.model._meta.concrete_fields},
        )
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
