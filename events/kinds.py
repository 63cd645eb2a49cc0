"""What the write paths need to know of each record type, and the registry of them.

Each record app describes its type once (`RecordKind`: model, API representation, what
the representation computes) and registers it when Django starts (its AppConfig's
`ready()`). Code below the record apps, the trash above all, reaches a type through
`kind_named("contact")` or `kind_of(model)`, and so moves and represents the rows of
higher apps without importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import models

from events.services import changes_between

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
    # Many records' representations, loading what `represent` reads in a constant
    # number of queries; by default `prefetch`, then `represent` each.
    represent_many: Callable[[Sequence[models.Model]], list[dict]] | None = None
    # The trash's `title`, from a representation.
    title: Callable[[dict], str] = lambda data: str(data.get("id", ""))

    def changes(self, before: dict, after: dict) -> dict:
        """`{field: [before, after]}` of the fields a client sets."""
        skip = ALWAYS_DERIVED | self.derived
        return changes_between(
            {k: v for k, v in before.items() if k not in skip},
            {k: v for k, v in after.items() if k not in skip},
        )

    def representations(self, records: Sequence[models.Model]) -> list[dict]:
        """Every record's API representation, in order."""
        if not records:
            return []
        if self.represent_many is not None:
            return self.represent_many(records)
        models.prefetch_related_objects(list(records), *self._scoped_prefetch(records))
        return [self.represent(record) for record in records]

    def _scoped_prefetch(self, records) -> list:
        """`prefetch`, each forward link read within the records' accounts (on Citus a
        look-up by id alone reaches every shard)."""
        accounts = {record.account_id for record in records}
        lookups = []
        for name in self.prefetch:
            field = self.model._meta.get_field(name)
            related = field.related_model
            if field.many_to_one and hasattr(related.objects, "for_accounts"):
                lookups.append(models.Prefetch(name, related.objects.for_accounts(accounts)))
            else:
                lookups.append(name)
        return lookups

    @property
    def plural(self) -> str:
        """The type's name in API paths (`/trash/companies/...`)."""
        return PLURALS.get(self.record_type, f"{self.record_type}s")


# The API's plurals (contract: "`{type}` in a path is its plural").
PLURALS = {"company": "companies", "activity": "activities"}

_kinds: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> RecordKind:
    """Make `kind` known by its record type (once per type, at start-up)."""
    known = _kinds.setdefault(kind.record_type, kind)
    if known is not kind:
        raise RuntimeError(f"Record type {kind.record_type!r} is registered twice.")
    return kind


def kind_named(record_type: str) -> RecordKind:
    """The registered kind of `record_type` ("contact"); KeyError when unknown."""
    return _kinds[record_type]


def kind_of(model) -> RecordKind | None:
    """The registered kind whose model is `model` (a class), or None."""
    for kind in _kinds.values():
        if kind.model is model:
            return kind
    return None


def kind_of_plural(plural: str) -> RecordKind | None:
    """The kind whose API path segment is `plural` ("companies"), or None."""
    for kind in _kinds.values():
        if kind.plural == plural:
            return kind
    return None


def registered() -> list[RecordKind]:
    return list(_kinds.values())
