"""One record's create, update and delete, recorded as events: the engine the record
services of contacts, companies and notes share.

Each takes the record's API serializer (`serialize(record) -> dict`), because an
event's `data` is the record's API representation and its `changes` compare two of
them: API field names, tags as sorted lists of names, and nothing for timestamps or
computed fields, which move without the record changing.

An update locks the row (`SELECT ... FOR UPDATE`; SQLite's writers already take turns,
settings' `transaction_mode = "IMMEDIATE"`), takes the row as it stands inside the
transaction and writes only the fields whose value differs from it, so two concurrent
writes of different fields both land. "As it stands" costs one small query when the
caller's copy is still the latest version (`current()`), two larger ones when not.
Events are appended last (events.services).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction

from accounts.models import tag_key
from accounts.tags import attach_tag_lists, normalise_tag_names, tags_replace
from customfields.values import check_custom_fields
from events.link_targets import lock_link_targets
from events.loaded_values import remembered
from events.models import Source
from events.services import EventDraft, changes_between, event_append

# Never compared: they move on every write, or are computed from other rows.
UNCOMPARED = frozenset({"id", "created_at", "updated_at", "contact_count"})

Serialize = Callable[[models.Model], dict]


def comparable(representation: dict) -> dict:
    """The fields of an API representation an event compares (tags as sorted names)."""
    fields = {k: v for k, v in representation.items() if k not in UNCOMPARED}
    if "tags" in fields:
        fields["tags"] = sorted(tag["name"] for tag in fields["tags"])
    return fields


def record_changes(before: dict, after: dict) -> dict:
    """`{field: [before, after]}` between two API representations of one record."""
    return changes_between(comparable(before), comparable(after))


def draft_created(record_type: str, after: dict) -> EventDraft:
    return EventDraft(
        record_type=record_type, record_id=after["id"], action="created", data=dict(after)
    )


def draft_updated(record_type: str, before: dict, after: dict) -> EventDraft:
    """An `updated` draft; one that changed nothing is dropped when appended."""
    return EventDraft(
        record_type=record_type,
        record_id=after["id"],
        action="updated",
        changes=record_changes(before, after),
        data=dict(after),
    )


def draft_deleted(record_type: str, before: dict) -> EventDraft:
    return EventDraft(
        record_type=record_type, record_id=before["id"], action="deleted", data=dict(before)
    )


def _append(draft: EventDraft, *, account, by, source: Source) -> None:
    event_append(
        account=account,
        by=by,
        source=source,
        record_type=draft.record_type,
        record_id=draft.record_id,
        action=draft.action,
        changes=draft.changes,
        data=draft.data,
    )


def _is_tagged(model) -> bool:
    return any(f.name == "tags" for f in model._meta.many_to_many)


def _load_tags(record) -> None:
    """`record.tag_list` afresh (one query), for the serializer."""
    if _is_tagged(type(record)):
        attach_tag_lists(type(record), [record])


def _set_tags(record, names: list[str]) -> None:
    field = type(record)._meta.get_field("tags")
    tags_replace(
        account=record.account,
        through=field.remote_field.through,
        field=field.m2m_field_name(),
        names_by_object={record.pk: names},
    )


def locked(queryset, pk: int):
    """The row afresh, locked until the transaction ends, with its tags loaded."""
    record = queryset.select_for_update(of=("self",)).get(pk=pk)
    _load_tags(record)
    return record


def current(queryset, record):
    """`record` as the row stands, locked until the transaction ends, tags loaded.

    When the caller read `record` from the database (events.loaded_values) with its
    tags and the row's version is still the one read, the caller's copy is reset to
    the values read and serves: the lock reads only `updated_at`. Otherwise the row is
    read afresh (`locked()`). Every write of a record or of its tags moves
    `updated_at`, so an equal version means an unchanged row."""
    loaded = getattr(record, "_loaded_values", None)
    reusable = (
        loaded is not None
        and loaded.keys() >= {f.attname for f in record._meta.concrete_fields}
        and (hasattr(record, "tag_list") or not _is_tagged(type(record)))
    )
    if not reusable:
        return locked(queryset, record.pk)
    unchanged = _still_at(record, loaded["updated_at"])
    if unchanged is None:
        raise queryset.model.DoesNotExist(f"No {queryset.model.__name__} {record.pk}.")
    if not unchanged:
        return locked(queryset, record.pk)
    for field in record._meta.concrete_fields:
        if getattr(record, field.attname) != loaded[field.attname]:
            setattr(record, field.attname, remembered(loaded[field.attname]))
            if field.is_relation:
                record._state.fields_cache.pop(field.name, None)
    return record


def _still_at(record, version) -> bool | None:
    """Whether the row's `updated_at` is still `version`, locking the row until the
    transaction ends; None if the row is gone.

    Plain SQL: this runs on every recorded write, and building it through the ORM
    cost five times its round trip. Scoped as the ORM's queries are, by the record's
    account. SQLite has no row locks; its IMMEDIATE transactions take turns."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(record._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT updated_at = %s FROM {table} WHERE account_id = %s AND id = %s{lock}",
            [connection.ops.adapt_datetimefield_value(version), record.account_id, record.pk],
        )
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


def _remember(record, field_names) -> None:
    """After a write: the written values are what the row holds now."""
    loaded = getattr(record, "_loaded_values", None)
    if loaded is not None:
        for name in field_names:
            attname = record._meta.get_field(name).attname
            loaded[attname] = remembered(getattr(record, attname))


def _has_custom_fields(model) -> bool:
    return any(f.name == "custom_fields" for f in model._meta.concrete_fields)


def _differs(record, field: models.Field, value) -> bool:
    if field.is_relation:
        value = value.pk if isinstance(value, models.Model) else value
        return getattr(record, field.attname) != value
    return getattr(record, field.attname) != value


def record_create(
    *, model, account, by, source: Source, record_type: str, data: dict, serialize: Serialize
):
    """Insert a record from field values (`tags` as names), append `<type>.created`."""
    data = dict(data)
    tag_names = data.pop("tags", None)
    if _has_custom_fields(model):
        # Every face creates through here: the account's definitions apply (a
        # required key must be given). ValidationError on `custom_fields`.
        check_custom_fields(
            account_id=account,
            record_type=record_type,
            values=data.get("custom_fields"),
            creating=True,
        )
    with transaction.atomic():
        record = model(account=account, **data)
        lock_link_targets(model, record.account_id, data)
        record.save()
        if tag_names:
            _set_tags(record, tag_names)
        if _is_tagged(model):
            _load_tags(record) if tag_names else setattr(record, "tag_list", [])
        _append(
            draft_created(record_type, serialize(record)), account=account, by=by, source=source
        )
    return record


def record_update(
    *,
    queryset,
    record,
    by,
    source: Source,
    record_type: str,
    data: dict,
    serialize: Serialize,
    action: str = "updated",
    noted: dict | None = None,
    check_custom_values: bool = True,
):
    """Write the fields of `data` whose value differs from the row's (and `tags`, as
    names, when the set differs), bump `updated_at`, append `<type>.<action>`
    (`updated` unless told otherwise).

    `noted` adds entries to the event's `changes` that are not fields of the row
    (a merge's `{"merged_from": [None, 7]}`); an event with them is appended, and
    `updated_at` bumped, even when no field changed. Without them, a write that
    changes nothing writes and appends nothing. Custom field values are checked
    against the account's definitions unless `check_custom_values` is False (undoing
    a merge puts back values the record held before). Returns the row as it is now."""
    data = dict(data)
    tag_names = data.pop("tags", None)
    with transaction.atomic():
        record = current(queryset, record)
        if check_custom_values and "custom_fields" in data and _has_custom_fields(type(record)):
            # The keys this write changes fit their definitions (values stored before
            # a definition existed stay until changed). Also merges come here.
            check_custom_fields(
                account_id=record.account_id,
                record_type=record_type,
                values=data["custom_fields"],
                stored=record.custom_fields,
                creating=False,
            )
        before = serialize(record)
        changed = []
        for name, value in data.items():
            field = record._meta.get_field(name)
            if _differs(record, field, value):
                setattr(record, name, value)
                changed.append(field.name)
        tags_changed = tag_names is not None and (
            sorted(tag_key(n) for n in normalise_tag_names(tag_names))
            != sorted(tag.name_key for tag in record.tag_list)
        )
        if not changed and not tags_changed and not noted:
            return record
        lock_link_targets(
            type(record),
            record.account_id,
            {name: getattr(record, record._meta.get_field(name).attname) for name in changed},
        )
        record.save(update_fields=[*changed, "updated_at"])
        _remember(record, [*changed, "updated_at"])
        if tags_changed:
            _set_tags(record, tag_names)
            _load_tags(record)
        after = serialize(record)
        draft = EventDraft(
            record_type=record_type,
            record_id=record.pk,
            action=action,
            changes={**record_changes(before, after), **(noted or {})},
            data=after,
        )
        _append(draft, account=record.account_id, by=by, source=source)
    return record


def record_tags_change(
    *,
    queryset,
    record,
    by,
    source: Source,
    record_type: str,
    serialize: Serialize,
    add: tuple[str, ...] = (),
    remove_ids: tuple[int, ...] = (),
):
    """Add tags by name (created if needed) and take tags off by id, on the row as it
    is now (locked first), as one `<type>.updated` with `changes: {"tags": ...}`.
    Adding a tag the record has, or removing one it lacks, changes nothing."""
    with transaction.atomic():
        record = current(queryset, record)
        names = [tag.name for tag in record.tag_list if tag.pk not in set(remove_ids)]
        return record_update(
            queryset=queryset,
            record=record,
            by=by,
            source=source,
            record_type=record_type,
            serialize=serialize,
            data={"tags": [*names, *add]},
        )
