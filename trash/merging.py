"""Merging one record into another (contacts, companies), undone by restoring the
record merged away (trash/services.py `merge_undo`).

The merge keeps the survivor's id. Its fields keep their values, empty ones (None,
"") are filled from the other, and the fields named in `prefer_other` take the
other's value when that is not empty; `custom_fields` merge key by key the same way
(naming `custom_fields` in `prefer_other` lets the other's non-empty values win key by
key); tags are the union. Everything that pointed at the other (trash/links.py) moves
to the survivor, the other goes to the trash with what the merge did (`merge` on its
trash entry), and the survivor's write is its `<type>.merged` event.

The record apps call `record_merge` with their kind and the fields a merge may take
(contacts/services.py, companies/services.py); a type whose rows form a tree (the
companies) settles its links to itself with `settle`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.tags import attach_tag_lists
from events.kinds import RecordKind
from events.models import Source
from events.recording import record_update
from events.services import EventDraft, events_append
from lib.errors import StateConflict
from lib.ids import parse_id
from trash.links import links_of, repoint
from trash.rows import row_values
from trash.services import records_trash

# settle(survivor, other, values): adjust the merged values ({attname: value}) once
# the links have moved, before the other goes to the trash.
Settle = Callable[[models.Model, models.Model, dict], None]


def is_empty(value) -> bool:
    """What a merge fills from the other record: no value at all."""
    return value is None or value == ""


def merged_value(mine, theirs, *, prefer_theirs: bool):
    """The survivor's value, unless it is empty or `prefer_theirs`, and theirs is not."""
    if is_empty(theirs):
        return mine
    return theirs if prefer_theirs or is_empty(mine) else mine


def merged_custom_fields(mine: dict, theirs: dict, *, prefer_theirs: bool) -> dict:
    """Custom fields merged key by key with `merged_value` (the survivor's keys first)."""
    merged = dict(mine or {})
    for key, value in (theirs or {}).items():
        merged[key] = merged_value(merged.get(key), value, prefer_theirs=prefer_theirs)
    return merged


def merge_fields_check(prefer_other: Iterable[str], fields: Iterable[str]) -> set[str]:
    """`prefer_other` as a set; ValidationError on `prefer_other` naming anything that
    is not a field a merge takes."""
    prefer = set(prefer_other or ())
    unknown = sorted(str(name) for name in prefer - set(fields))
    if unknown:
        raise ValidationError(
            {"prefer_other": [f"Not a field a merge can take: {', '.join(unknown)}."]}
        )
    return prefer


def record_merge(
    kind: RecordKind,
    *,
    record: models.Model,
    other,
    fields: tuple[str, ...],
    prefer_other: Iterable[str] = (),
    by,
    source: Source,
    settle: Settle | None = None,
):
    """Merge `other` (a record of `kind` or its id) into `record`, atomically; returns
    the survivor as stored. Appends each moved row's `<type>.updated`, the other's
    `<type>.deleted` and the survivor's `<type>.merged` (its `changes`: the fields the
    merge changed and `merged_from: [None, other id]`).

    `fields` are the model fields a merge takes (`prefer_other` may name them); tags are
    always united. ValidationError on `other` when it is the record itself, or not a
    live record of the account; on `prefer_other` for an unknown field. StateConflict
    when `record` itself was deleted meanwhile (a merge the other way round won).

    Both rows are locked in id order, so merges of A into B and of B into A never
    deadlock: the second waits, then finds its other record gone (or itself gone).
    Queries: a constant number, plus what representing the moved rows costs."""
    prefer = merge_fields_check(prefer_other, fields)
    other_id = other.pk if isinstance(other, models.Model) else parse_id(other)
    name = kind.record_type
    if other_id == record.pk:
        raise ValidationError({"other": [f"A {name} cannot be merged into itself."]})
    if other_id is None:
        raise ValidationError({"other": [f"No such {name} in this account."]})
    queryset = kind.model.objects.for_account(record.account_id)
    with transaction.atomic():
        rows = {
            row.pk: row
            for row in queryset.filter(pk__in=[record.pk, other_id])
            .select_for_update(of=("self",))
            .order_by("pk")
        }
        if other_id not in rows:
            raise ValidationError({"other": [f"No such {name} in this account."]})
        if record.pk not in rows:
            raise StateConflict(f"This {name} was deleted meanwhile.")
        survivor, other = rows[record.pk], rows[other_id]
        attach_tag_lists(kind.model, [survivor, other])
        values = _merged_values(kind.model, survivor, other, fields, prefer)
        tags = _united_tags(survivor, other)

        moved, drafts = _links_move(kind, survivor=survivor, other=other)
        events_append(account=record.account_id, by=by, source=source, drafts=drafts)
        if settle is not None:
            settle(survivor, other, values)

        merge = {"into": survivor.pk, "fields": _field_changes(survivor, values), "moved": moved}
        if tags is not None:
            merge["tags"] = [[tag.name for tag in survivor.tag_list], tags]
        # First, so that the survivor may take over the other's email or domain.
        records_trash(kind, rows=[other], by=by, source=source, merge=merge)
        data = {attname: values[attname] for attname in merge["fields"]}
        if tags is not None:
            data["tags"] = tags
        return record_update(
            queryset=queryset,
            record=survivor,
            by=by,
            source=source,
            record_type=name,
            data=data,
            serialize=kind.represent,
            action="merged",
            noted={"merged_from": [None, other.pk]},
        )


def _merged_values(model, survivor, other, fields, prefer) -> dict:
    """`{attname: merged value}` of each field a merge takes."""
    values = {}
    for field_name in fields:
        field = model._meta.get_field(field_name)
        mine, theirs = getattr(survivor, field.attname), getattr(other, field.attname)
        prefer_theirs = field_name in prefer
        if isinstance(field, models.JSONField):
            values[field.attname] = merged_custom_fields(mine, theirs, prefer_theirs=prefer_theirs)
        else:
            values[field.attname] = merged_value(mine, theirs, prefer_theirs=prefer_theirs)
    return values


def _united_tags(survivor, other) -> list[str] | None:
    """The survivor's tag names and the other's it lacks; None when that adds none."""
    have = {tag.name_key for tag in survivor.tag_list}
    gained = [tag.name for tag in other.tag_list if tag.name_key not in have]
    if not gained:
        return None
    return [tag.name for tag in survivor.tag_list] + gained


def _field_changes(survivor, values: dict) -> dict:
    """`{attname: [before, after]}` of the values that differ from the survivor's, as
    the trash keeps rows (trash/rows.py), which is what `merge_undo` compares."""
    probe = copy.copy(survivor)
    for attname, value in values.items():
        setattr(probe, attname, value)
    before, after = row_values(survivor), row_values(probe)
    return {
        attname: [before[attname], after[attname]]
        for attname in values
        if before[attname] != after[attname]
    }


def _links_move(kind: RecordKind, *, survivor, other) -> tuple[list[dict], list[EventDraft]]:
    """Point what points at `other` at `survivor` (not the survivor itself: a company
    whose parent was the other settles its parent instead); the links moved, as the
    trash keeps them, and the moved rows' `updated` drafts. One query per kind of link
    and a constant number per kind moved."""
    moved, drafts = [], []
    account_id = survivor.account_id
    for link in links_of(kind.model, account_id=account_id, ids=[other.pk]).get(other.pk, []):
        model = apps.get_model(link["model"])
        ids = [pk for pk in link["ids"] if not (model is kind.model and pk == survivor.pk)]
        if not ids:
            continue
        drafts += repoint(
            model,
            link["field"],
            account_id=account_id,
            ids=ids,
            value=survivor.pk,
            where=models.Q(**{link["field"]: other.pk}),
        )
        moved.append({**link, "ids": ids})
    return moved, drafts
