"""Every write to the trash: putting records in (every delete of a contact, company,
deal, activity or note comes here), restoring them, emptying and purging.

The record apps' delete services lock their rows and hand them to `records_trash`;
restore is generic too: the record types are registered kinds (events.kinds), and what
restore needs of a type is its model, its representation and its unique constraints.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import Account, User, tag_key
from accounts.tags import tags_replace
from accounts.uniqueness import validate_unique_in_account
from events.kinds import RecordKind, kind_named, kind_of
from events.models import Source
from events.recording import locked, record_update
from events.services import EventDraft, events_append
from lib.errors import StateConflict
from trash.links import links_clear, links_of, links_restore
from trash.models import TrashedRecord
from trash.rows import rebuilt, row_values


class NotInTrash(Exception):
    """No such record in the account's trash: HTTP 404."""


class RestoreConflict(StateConflict):
    """Restoring would break a uniqueness rule (HTTP 409); nothing changed."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}


def records_trash(
    kind: RecordKind,
    *,
    rows: Sequence[models.Model],
    by,
    source: Source,
    merge: dict | None = None,
) -> int:
    """Move `rows` (of one account, locked by the caller) to the trash: the links that
    point at them are cleared (each such row's `<type>.updated`), each row is kept with
    its tags and those links, deleted, and appends its `<type>.deleted` with its
    representation just before. `merge` is kept on the trashed row when it was merged
    away rather than deleted. How many rows; a constant number of queries for any
    number of rows (plus what representing their linked rows costs)."""
    rows = list(rows)
    if not rows:
        return 0
    account_id = rows[0].account_id
    if any(row.account_id != account_id for row in rows):
        raise ValueError("records_trash takes the rows of one account.")
    ids = [row.pk for row in rows]
    with transaction.atomic():
        befores = kind.representations(rows)
        links = links_of(kind.model, account_id=account_id, ids=ids)
        unlinked = links_clear(kind.model, account_id=account_id, links=links, keep=ids)
        now = timezone.now()
        TrashedRecord.objects.bulk_create(
            [
                TrashedRecord(
                    account_id=account_id,
                    record_type=kind.record_type,
                    record_id=row.pk,
                    title=kind.title(before)[:200],
                    deleted_at=now,
                    deleted_by_id=getattr(by, "pk", by),
                    row=row_values(row),
                    tags=[tag["name"] for tag in before.get("tags", ())],
                    links=links.get(row.pk, []),
                    merge=merge,
                )
                for row, before in zip(rows, befores, strict=True)
            ]
        )
        kind.model.objects.for_account(account_id).filter(pk__in=ids).delete()
        deleted = [
            EventDraft(
                record_type=kind.record_type, record_id=row.pk, action="deleted", data=before
            )
            for row, before in zip(rows, befores, strict=True)
        ]
        events_append(account=account_id, by=by, source=source, drafts=[*unlinked, *deleted])
    return len(rows)


def records_trash_queryset(kind: RecordKind, *, queryset, by, source: Source) -> int:
    """Trash the rows of `queryset` (the admin's selection may span a staff member's
    several accounts), account by account in account order, each account's rows
    locked in id order first, so two bulk deletes never deadlock. How many."""
    # The accounts first, without locks: Citus refuses FOR UPDATE on a statement that
    # spans several accounts' shards, so each account's rows are locked apart.
    account_ids = sorted(set(queryset.order_by().values_list("account_id", flat=True)))
    trashed = 0
    with transaction.atomic():
        for account_id in account_ids:
            # The rows alone (no joins: PostgreSQL refuses FOR UPDATE on the nullable
            # side of an outer join).
            rows = list(
                queryset.filter(account_id=account_id)
                .select_related(None)
                .select_for_update(of=("self",))
                .order_by("pk")
            )
            if rows:
                records_trash(kind, rows=rows, by=by, source=source)
            trashed += len(rows)
    return trashed


def record_restore(*, account, record_type: str, record_id: int, by, source: Source):
    """Bring a trashed record back with its id, fields and tags, re-link what pointed
    at it (where that still points nowhere), and append `<type>.restored` (and the
    re-linked rows' `updated`). A record merged away first undoes the merge
    (`merge_undo`). NotInTrash when it is not in the account's trash; RestoreConflict
    when its email or domain is now another record's, and then nothing changed.
    Returns the restored record."""
    kind = kind_named(record_type)
    account_id = getattr(account, "pk", account)
    with transaction.atomic():
        entry = (
            TrashedRecord.objects.for_account(account_id)
            .select_for_update()
            .filter(record_type=record_type, record_id=record_id)
            .first()
        )
        if entry is None:
            raise NotInTrash(f"No {record_type} {record_id} in the trash.")
        if entry.merge:
            merge_undo(kind, entry=entry, by=by, source=source, to_itself=False)
        record = rebuilt(kind.model, account_id=account_id, record_id=record_id, values=entry.row)
        _drop_missing_targets(record)
        try:
            validate_unique_in_account(record)
        except ValidationError as exc:
            raise RestoreConflict(_message(exc), exc.message_dict) from exc
        try:
            with transaction.atomic():  # a savepoint: a lost race keeps the trash row
                # raw: the kept values as they are (`created_at` too), no save() rules
                # run again; `updated_at` moves, as on every write.
                record.updated_at = timezone.now()
                record.save_base(raw=True, force_insert=True)
        except IntegrityError as exc:
            raise RestoreConflict(
                f"This {record_type} clashes with another one (its email or domain)."
            ) from exc
        if entry.tags:
            field = kind.model._meta.get_field("tags")
            tags_replace(
                account=Account(pk=account_id),
                through=field.remote_field.through,
                field=field.m2m_field_name(),
                names_by_object={record.pk: entry.tags},
            )
        relinked = links_restore(record, entry.links)
        if entry.merge:
            relinked += links_restore(
                record, entry.merge.get("moved", []), was_at=entry.merge["into"]
            )
            merge_undo(kind, entry=entry, by=by, source=source, to_itself=True)
        entry.delete()
        fresh = kind.model.objects.for_account(account_id).get(pk=record.pk)
        after = kind.representations([fresh])[0]
        events_append(
            account=account_id,
            by=by,
            source=source,
            drafts=[
                *relinked,
                EventDraft(
                    record_type=record_type, record_id=record.pk, action="restored", data=after
                ),
            ],
        )
    return fresh


def merge_undo(
    kind: RecordKind, *, entry: TrashedRecord, by, source: Source, to_itself: bool
) -> None:
    """Restoring a merged-away record puts back the survivor's fields that the merge
    changed, each unless changed since (and its tags, unless changed since): first,
    before the record is inserted again, so that an email or domain the survivor took
    over is free again; then (`to_itself`) a link back to the restored record itself (a
    company whose parent it was), which can only be written once that row exists.
    A `<type>.updated` on the survivor each time; a survivor deleted since is left
    alone."""
    queryset = kind.model.objects.for_account(entry.account_id)
    survivor = queryset.filter(pk=entry.merge["into"]).first()
    if survivor is None:
        return
    survivor = locked(queryset, survivor.pk)
    now = row_values(survivor)
    data = {}
    for attname, (before, after) in entry.merge.get("fields", {}).items():
        field = kind.model._meta.get_field(attname)
        links_to_it = bool(
            field.many_to_one and field.related_model is kind.model and before == entry.record_id
        )
        if links_to_it != to_itself:
            continue
        if attname in now and now[attname] == after:
            is_json = isinstance(field, models.JSONField)
            data[attname] = before if before is None or is_json else field.to_python(before)
    tags = None if to_itself else entry.merge.get("tags")
    if tags and sorted(t.name_key for t in survivor.tag_list) == sorted(
        tag_key(n) for n in tags[1]
    ):
        data["tags"] = tags[0]
    if data:
        record_update(
            queryset=queryset,
            record=survivor,
            by=by,
            source=source,
            record_type=kind.record_type,
            data=data,
            serialize=kind.represent,
            # What the survivor held before the merge goes back as it was, even if a
            # custom field defined since would refuse it (values stored before their
            # definition stay, as everywhere).
            check_custom_values=False,
        )


def trash_empty(*, account, record_type: str | None = None, ids=None) -> int:
    """Delete trashed records for good (all of the account's, or one type's, or those
    `ids` of TrashedRecord); how many."""
    entries = TrashedRecord.objects.for_account(account)
    if record_type:
        entries = entries.of_type(record_type)
    if ids is not None:
        entries = entries.filter(pk__in=list(ids))
    count, _ = entries.delete()
    return count


def trash_purge_expired(*, now=None, batch: int = 5000) -> int:
    """Delete, in batches, what every account trashed more than 30 days ago (the
    recurring job); how many. Each batch is its own short transaction."""
    purged = 0
    while True:
        expired = TrashedRecord.objects.dangerously_unscoped().expired(now)
        batch_ids = list(expired.order_by("deleted_at").values_list("account_id", "pk")[:batch])
        if not batch_ids:
            return purged
        for account_id in {a for a, _ in batch_ids}:
            pks = [pk for a, pk in batch_ids if a == account_id]
            count, _ = TrashedRecord.objects.for_account(account_id).filter(pk__in=pks).delete()
            purged += count


def _drop_missing_targets(record) -> None:
    """Clear the restored row's links to records that are gone meanwhile and to a user
    who is no longer a member. A link to a record that is in the trash itself is kept
    on that record's trash entry instead, so that restoring it re-links this one. One
    or two queries per link set."""
    for field in record._meta.concrete_fields:
        if not field.is_relation or field.name == "account":
            continue
        target = getattr(record, field.attname)
        if target is None:
            continue
        related = field.related_model
        if issubclass(related, User):
            exists = User.objects.members_of(record.account_id).filter(pk=target).exists()
        else:
            exists = related.objects.for_account(record.account_id).filter(pk=target).exists()
        if exists:
            continue
        if not field.null:
            raise RestoreConflict(f"The {field.verbose_name} of this record is gone.")
        setattr(record, field.attname, None)
        target_kind = kind_of(related)
        if target_kind is not None:
            _keep_link_for(target_kind, target, record, field)


def _keep_link_for(target_kind: RecordKind, target_id: int, record, field) -> None:
    entry = (
        TrashedRecord.objects.for_account(record.account_id)
        .select_for_update()
        .filter(record_type=target_kind.record_type, record_id=target_id)
        .first()
    )
    if entry is not None and field.remote_field.on_delete is models.SET_NULL:
        link = {"model": record._meta.label_lower, "field": field.name, "ids": [record.pk]}
        entry.links = [*entry.links, link]
        entry.save(update_fields=["links"])


def _message(exc: ValidationError) -> str:
    return " ".join(message for messages in exc.message_dict.values() for message in messages)
