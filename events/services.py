"""Appending events: the one way rows get into the event log.

Every record service calls `event_append` (or `events_append` for a batch) inside the
transaction of its change, so a rolled-back change leaves no event and a committed one
always has its events.

Order guarantee of the feed. `GET /events/?after=<id>` must show each event exactly
once, in id order, to a client that polls with the last id it saw. Ids come from a
sequence when the row is inserted, but transactions commit in any order: if one that
took id 10 committed after one that took id 11, a poller that had read 11 would never
see 10. So the writers of one account take turns from their first event to their
commit: `event_append` first takes a transaction-level lock keyed by the account
(PostgreSQL: `pg_advisory_xact_lock`, released at COMMIT or ROLLBACK). Within an
account, ids are then taken in commit order, and an event is visible only once every
smaller id of its account is committed or rolled back. Writes of other accounts never
wait. Services append their events last, so the turn lasts from the event's insert to
the commit. SQLite needs nothing: `transaction_mode = "IMMEDIATE"` already makes every
writing transaction take the database's write lock up front, so all writers take turns.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from events.models import RECORD_TYPES, Event, Source

# The first key of the two-integer advisory locks this module takes ("RELY"), so they
# never meet another user of PostgreSQL's advisory locks.
_LOCK_SPACE = 0x52454C59

# Called with every batch of appended events, inside the change's transaction: what
# follows from changes whatever face made them (the notifications of an assignment)
# registers here, so every write path is covered without the record apps knowing it.
AppendedHook = Callable[..., None]  # (*, account_id, actor_id, source, events)
_appended_hooks: list[AppendedHook] = []


def on_events_appended(hook: AppendedHook) -> AppendedHook:
    """Register `hook(*, account_id, actor_id, source, events)` to run after each
    batch of events is appended, in the same transaction (once per function)."""
    if hook not in _appended_hooks:
        _appended_hooks.append(hook)
    return hook


@dataclass(frozen=True)
class EventDraft:
    """One event before it is appended."""

    record_type: str
    record_id: int
    action: str
    changes: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    @property
    def type(self) -> str:
        return f"{self.record_type}.{self.action}"

    @property
    def is_noop(self) -> bool:
        """An update that changed nothing appends nothing."""
        return self.action == "updated" and not self.changes


def changes_between(before: dict, after: dict) -> dict:
    """`{field: [before, after]}` for every field whose value differs.

    Both sides are API representations (JSON-ready values); a field present on one
    side only counts as changed from or to None.
    """
    changed = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name), after.get(name)
        if old != new:
            changed[name] = [old, new]
    return dict(sorted(changed.items()))


def event_append(
    *,
    account,
    by,
    source: Source,
    record_type: str,
    record_id: int,
    action: str,
    changes: dict | None = None,
    data: dict | None = None,
) -> Event | None:
    """Append one event for a change to a record; None when it changed nothing.

    `by` is the acting user (None for the system). Call it inside the change's
    transaction, after the change. Takes the account's writer turn (module docstring):
    two queries on PostgreSQL, one on SQLite.
    """
    events = events_append(
        account=account,
        by=by,
        source=source,
        drafts=[
            EventDraft(
                record_type=record_type,
                record_id=record_id,
                action=action,
                changes=changes or {},
                data=data or {},
            )
        ],
    )
    return events[0] if events else None


def events_append(*, account, by, source: Source, drafts: Iterable[EventDraft]) -> list[Event]:
    """Append a batch of events in a constant number of queries (bulk paths: imports,
    bulk actions). No-op updates are dropped."""
    account_id = getattr(account, "pk", account)
    actor_id = getattr(by, "pk", by)
    rows = []
    for draft in drafts:
        if draft.record_type not in RECORD_TYPES:
            raise ValueError(f"Unknown record type {draft.record_type!r}.")
        if draft.is_noop:
            continue
        rows.append(
            Event(
                account_id=account_id,
                type=draft.type,
                actor_id=actor_id,
                source=source,
                record_type=draft.record_type,
                record_id=draft.record_id,
                changes=draft.changes,
                data=draft.data,
            )
        )
    if not rows:
        return []
    # No savepoint: called inside the change's transaction, a failure here must undo
    # the change too, and a savepoint would cost two more round trips per write.
    with transaction.atomic(savepoint=False):
        take_event_turn(account_id)
        if connection.vendor == "postgresql" and len(rows) > 1:
            events = _insert_as_one_document(account_id, rows)
        else:
            events = Event.objects.for_account(account_id).bulk_create(rows)
        for hook in _appended_hooks:
            hook(account_id=account_id, actor_id=actor_id, source=source, events=events)
    return events


# The batch as one JSON document, unpacked by PostgreSQL: one parameter instead of nine
# per row (bulk_create's), which for the bulk import's 1,000 events of JSON halves what
# the insert costs the application (docs/benchmarks.md). Ids follow the batch's order.
_INSERT_DOCUMENT = """INSERT INTO {table}
    (account_id, type, at, actor_id, source, record_type, record_id, changes, data)
SELECT %s, r.type, r.at, r.actor_id, r.source, r.record_type, r.record_id, r.changes, r.data
FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS (
    type text, at timestamptz, actor_id bigint, source text, record_type text,
    record_id bigint, changes jsonb, data jsonb
)) WITH ORDINALITY AS r(type, at, actor_id, source, record_type, record_id, changes,
                        data, position)
ORDER BY r.position
RETURNING id
"""


def _insert_as_one_document(account_id: int, rows: list[Event]) -> list[Event]:
    document = json.dumps(
        [
            {
                "type": row.type,
                "at": row.at.isoformat(),  # to the microsecond
                "actor_id": row.actor_id,
                "source": row.source,
                "record_type": row.record_type,
                "record_id": row.record_id,
                "changes": row.changes,
                "data": row.data,
            }
            for row in rows
        ],
        cls=DjangoJSONEncoder,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_DOCUMENT.format(table=connection.ops.quote_name(Event._meta.db_table)),
            [account_id, document],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias
    return rows


def take_event_turn(account_id: int) -> None:
    """Wait until no other open transaction has appended events of this account; hold
    the turn until this transaction ends. Must run inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("take_event_turn() outside a transaction would hold nothing.")
    if connection.vendor != "postgresql":
        return
    # pg_advisory_xact_lock takes int4 keys: a hash of the id. Two accounts whose
    # hashes collide merely take turns with each other.
    key = zlib.crc32(int(account_id).to_bytes(8, "little", signed=True)) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", [_LOCK_SPACE, key])
