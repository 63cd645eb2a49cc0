"""One page of a record's timeline in a constant number of queries.

The three kinds of entry are merged by the database (UNION ALL of `(kind, id, at)`
over indexed columns, ordered by `at` and paginated there); only the page's rows are
then loaded, one query per kind. History size does not change the query count.
"""

from dataclasses import dataclass

from django.db.models import CharField, DateTimeField, F, Value
from django.db.models.functions import Coalesce

from activities.models import Activity
from deals.models import Deal
from notes.models import Note

NOTE, ACTIVITY, DEAL = "note", "activity", "deal"


@dataclass
class Entry:
    type: str
    id: int
    at: object
    record: object = None


def _keys(queryset, kind: str, at):
    return (
        queryset.order_by()
        .annotate(
            entry_type=Value(kind, output_field=CharField()),
            entry_at=Coalesce(*at, output_field=DateTimeField()) if len(at) > 1 else F(at[0]),
        )
        .values_list("entry_type", "id", "entry_at")
    )


def timeline_keys(*, account, field: str, record_id: int, with_deals: bool):
    """A queryset of `(type, id, at)` rows for everything linked to the record."""
    link = {field: record_id}
    parts = [
        _keys(Note.objects.for_account(account).filter(**link), NOTE, ["occurred_at"]),
        _keys(
            Activity.objects.for_account(account).filter(**link),
            ACTIVITY,
            ["completed_at", "due_at", "created_at"],
        ),
    ]
    if with_deals:
        parts.append(
            _keys(
                Deal.objects.for_account(account).filter(**link), DEAL, ["closed_at", "created_at"]
            )
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-entry_at", "-entry_type", "-id")


def load_entries(*, account, keys) -> list[Entry]:
    """The page's entries with their records: one query per kind on the page."""
    entries = [Entry(type=t, id=i, at=at) for t, i, at in keys]
    querysets = {
        NOTE: Note.objects.for_account(account),
        ACTIVITY: Activity.objects.for_account(account),
        DEAL: Deal.objects.for_account(account).with_stage_probability(),
    }
    for kind, queryset in querysets.items():
        ids = [e.id for e in entries if e.type == kind]
        if ids:
            records = queryset.in_bulk(ids)
            for entry in entries:
                if entry.type == kind:
                    entry.record = records.get(entry.id)
    return [e for e in entries if e.record is not None]
