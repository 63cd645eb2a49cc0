"""The links that point at a record (a deal's `contact`, a contact's `company`, a
subsidiary's `parent`...): found, cleared when the record goes to the trash, set again
when it comes back, and moved by a merge. Every row whose link changes gets its
`<type>.updated` event, like any other write.

The links are the reverse foreign keys of a registered record type that the database
would set to NULL on delete (events.kinds); the record apps declare them on their
models and nothing here names them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.utils import timezone

from events.kinds import kind_of
from events.services import EventDraft


def reverse_links(model) -> list[models.ManyToOneRel]:
    """The SET_NULL foreign keys of record types that point at `model`."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many and rel.on_delete is models.SET_NULL and kind_of(rel.related_model)
    ]


def links_of(model, *, account_id: int, ids: Iterable[int]) -> dict[int, list[dict]]:
    """For each id of `model`, what points at it: `[{"model": "deals.deal", "field":
    "contact", "ids": [...]}]`. One query per kind of link."""
    ids = list(ids)
    found: dict[int, list[dict]] = defaultdict(list)
    for rel in reverse_links(model):
        pointing: dict[int, list[int]] = defaultdict(list)
        rows = (
            rel.related_model.objects.for_account(account_id)
            .filter(**{f"{rel.field.attname}__in": ids})
            .order_by("pk")
            .values_list(rel.field.attname, "pk")
        )
        for target, pk in rows:
            pointing[target].append(pk)
        for target, pks in pointing.items():
            found[target].append(
                {"model": rel.related_model._meta.label_lower, "field": rel.field.name, "ids": pks}
            )
    return dict(found)


def repoint(
    model, field_name: str, *, account_id: int, ids: Iterable[int], value, where
) -> list[EventDraft]:
    """Set `field_name` to `value` (an id or None) on the rows of `model` among `ids`
    that still match `where` (a Q), locking them first (in id order); the drafts of
    their `<type>.updated` events. A constant number of queries for any number of
    rows."""
    kind = kind_of(model)
    field = model._meta.get_field(field_name)
    rows = list(
        model.objects.for_account(account_id)
        .filter(where, pk__in=list(ids))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not rows:
        return []
    olds = [getattr(row, field.attname) for row in rows]
    now = timezone.now()
    model.objects.for_account(account_id).filter(pk__in=[row.pk for row in rows]).update(
        **{field.attname: value, "updated_at": now}
    )
    for row in rows:
        setattr(row, field.attname, value)
        row.updated_at = now
        row._state.fields_cache.pop(field.name, None)
    # Represented once, after: the link is the one field that changed (`updated_at`
    # never counts), and the API shows a link as the id, under the field's name. Half
    # the cost of representing each row before and after (a merge moves thousands).
    afters = kind.representations(rows)
    return [
        EventDraft(
            record_type=kind.record_type,
            record_id=row.pk,
            action="updated",
            changes={field.name: [old, value]},
            data=after,
        )
        for row, old, after in zip(rows, olds, afters, strict=True)
    ]


def links_clear(
    model, *, account_id: int, links: dict[int, list[dict]], keep: Iterable[int] = ()
) -> list[EventDraft]:
    """Clear the links found by `links_of` (rows of `model` in `keep`, deleted along,
    are left as they are)."""
    drafts = []
    keep = set(keep)
    for (label, field_name), ids in _by_link(links.values()).items():
        linked = apps.get_model(label)
        if linked is model:
            ids = [pk for pk in ids if pk not in keep]
        drafts += repoint(
            linked,
            field_name,
            account_id=account_id,
            ids=ids,
            value=None,
            where=models.Q(**{f"{field_name}__in": list(links)}),
        )
    return drafts


def links_restore(record, links: list[dict], *, was_at: int | None = None) -> list[EventDraft]:
    """Point the kept `links` at `record` again where they still point nowhere (or,
    with `was_at`, still at that record: the survivor of a merge being undone); a row
    since linked elsewhere, or itself deleted, stays as it is."""
    drafts = []
    for (label, field_name), ids in _by_link([links]).items():
        where = models.Q(**{f"{field_name}__isnull": True})
        if was_at is not None:
            where = models.Q(**{field_name: was_at})
        drafts += repoint(
            apps.get_model(label),
            field_name,
            account_id=record.account_id,
            ids=ids,
            value=record.pk,
            where=where,
        )
    return drafts


def _by_link(groups: Iterable[list[dict]]) -> dict[tuple[str, str], list[int]]:
    merged: dict[tuple[str, str], list[int]] = defaultdict(list)
    for group in groups:
        for link in group:
            merged[(link["model"], link["field"])].extend(link["ids"])
    return merged
