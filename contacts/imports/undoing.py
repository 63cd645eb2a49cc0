"""Undoing an import: what it created goes, what it updated returns to its earlier values.

Decisions:
- Contacts the import created are deleted through `contacts_delete`, the contacts'
  bulk delete (so they go wherever a delete puts them: the trash, once it exists).
- Contacts it updated get back, field by field, the value each field had before the
  import (from the import's `contact.updated` events, newest first) unless the field
  was changed since: when its value now differs from the one the import wrote, the
  later edit wins and the field is counted as kept. The writes go through
  `contacts_update` (`contact.updated` events, source "import").
- A field whose earlier value cannot come back is left too, and counted apart: the
  company or owner it named is gone, or the import's event has been purged (events
  are kept 90 days).
- Companies the import created are deleted (`companies_delete`) when nothing links to
  them any more (after its contacts are gone: no contact, subsidiary, deal, activity or
  note) and nobody edited them since; otherwise they are kept, and counted. Someone
  who added a deal to a company, or renamed it, has started to rely on it.
- The import becomes "undone" by a compare-and-set in the same transaction as the
  writes: of two undos at once, the second waits for the first's row lock, then
  finds the import undone and does nothing. A failure rolls back everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db import transaction

from accounts.models import User
from companies.models import Company
from companies.services import companies_delete
from contacts.imports.rows import chunks
from contacts.models import Contact
from contacts.models_import import ContactImport, ContactImportRecord
from contacts.services import (
    BULK_UPDATE_FIELDS,
    contacts_delete,
    contacts_representations,
    contacts_update,
)
from events.models import Event, Source
from events.recording import comparable

Action = ContactImportRecord.Action
# What an undo may put back: what an import can write.
REVERTIBLE = frozenset({*BULK_UPDATE_FIELDS, "tags"})


@dataclass
class UndoReport:
    deleted: int = 0  # contacts the import created, now deleted
    reverted: int = 0  # contacts it updated that got earlier values back
    kept_fields: int = 0  # fields left as they are: edited since the import
    unrestorable_fields: int = 0  # earlier value gone (a deleted company, a purged event)
    companies_deleted: int = 0
    companies_kept: int = 0  # still linked to something, or edited since


def contact_import_undo(*, contact_import: ContactImport, by) -> UndoReport | None:
    """Undo a finished import (module docstring); None when it is not done (any
    more): already undone, by this call's twin or earlier, or never written.

    One transaction; a constant number of queries per 1,000 contacts. The import's
    `undo_report` keeps the counts for its page.
    """
    account = contact_import.account
    imports = ContactImport.objects.for_account(account)
    with transaction.atomic():
        if not imports.claim_undo(contact_import.pk):
            return None
        records = ContactImportRecord.objects.for_account(account).of_import(contact_import)
        report = UndoReport()
        created = list(
            records.listed(Action.CREATED).values_list("record_id", flat=True).order_by("id")
        )
        gone = set(created)  # a contact it created and then updated again just goes
        updates = [
            (contact_id, event_id)
            for contact_id, event_id in records.filter(
                record_type="contact", action__in=[Action.UPDATED, Action.UPDATED_AGAIN]
            ).values_list("record_id", "event_id")
            if contact_id not in gone
        ]
        _revert_updates(account, by, updates, report)
        for batch in chunks(created):
            report.deleted += contacts_delete(
                account=account, by=by, source=Source.IMPORT, ids=batch
            )
        companies = list(records.filter(record_type="company").values_list("record_id", flat=True))
        for batch in chunks(companies):
            _delete_unused_companies(account, by, batch, report)
        imports.record_undo(contact_import.pk, report=asdict(report))
    return report


def _revert_updates(account, by, updates: list[tuple[int, int | None]], report) -> None:
    events_by_contact: dict[int, list[int]] = defaultdict(list)
    for contact_id, event_id in updates:
        events_by_contact[contact_id].append(event_id)
    for batch in chunks(sorted(events_by_contact)):
        _revert_batch(account, by, {pk: events_by_contact[pk] for pk in batch}, report)


def _revert_batch(account, by, event_ids_by_contact: dict[int, list], report) -> None:
    """Five queries, plus `contacts_update`'s constant few."""
    wanted = [e for ids in event_ids_by_contact.values() for e in ids if e is not None]
    changes = dict(
        Event.objects.for_account(account)
        .filter(pk__in=wanted, record_type="contact")
        .values_list("id", "changes")
    )
    contacts = list(
        Contact.objects.for_account(account)
        .filter(pk__in=list(event_ids_by_contact))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    currents = contacts_representations(contacts)
    data_by_id: dict[int, dict] = {}
    for contact, current in zip(contacts, currents, strict=True):
        values = comparable(current)
        restored: dict = {}
        kept: set[str] = set()
        for event_id in sorted(event_ids_by_contact[contact.pk], reverse=True, key=_newest):
            if event_id not in changes:
                report.unrestorable_fields += 1  # its event was purged
                continue
            for name, (before, after) in changes[event_id].items():
                if name not in REVERTIBLE:
                    continue
                if values.get(name) == after and name not in kept:
                    values[name] = restored[name] = before
                else:
                    kept.add(name)
                    restored.pop(name, None)
        report.kept_fields += len(kept)
        if restored:
            data_by_id[contact.pk] = restored
    report.unrestorable_fields += _drop_gone_links(account, data_by_id)
    report.reverted += contacts_update(
        account=account, by=by, source=Source.IMPORT, data_by_id=data_by_id
    )


def _newest(event_id):
    return event_id or 0


def _drop_gone_links(account, data_by_id: dict[int, dict]) -> int:
    """Leave out earlier companies and owners that are no longer the account's (a
    deleted company, a member who left): two queries. How many fields it left out."""
    dropped = 0
    for name, queryset in (
        ("company", Company.objects.for_account(account)),
        ("owner", User.objects.members_of(account)),
    ):
        ids = {v[name] for v in data_by_id.values() if v.get(name) is not None}
        present = set(queryset.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        for values in data_by_id.values():
            if values.get(name) is not None and values[name] not in present:
                del values[name]
                dropped += 1
    for contact_id in [pk for pk, values in data_by_id.items() if not values]:
        del data_by_id[contact_id]
    return dropped


def _delete_unused_companies(account, by, ids: list[int], report) -> None:
    """Delete the companies among `ids` that nothing links to and nobody edited since
    they were created: one query per kind of link, one for the edits."""
    busy = set(
        Event.objects.for_account(account)
        .filter(record_type="company", record_id__in=ids, type="company.updated")
        .values_list("record_id", flat=True)
    )
    for relation in _company_links():
        column = relation.field.attname
        busy.update(
            relation.related_model._default_manager.filter(
                account_id=account.pk, **{f"{column}__in": ids}
            ).values_list(column, flat=True)
        )
    free = [pk for pk in ids if pk not in busy]
    deleted = companies_delete(account=account, by=by, source=Source.IMPORT, ids=free)
    report.companies_deleted += deleted
    report.companies_kept += len(ids) - deleted


def _company_links():
    """The foreign keys that point at a company, whichever app holds them (read from
    the model, so this app names none of the apps above it), but the tags' links:
    a tag is part of the company, not something that relies on it."""
    tag_links = Company._meta.get_field("tags").remote_field.through
    return [
        relation
        for relation in Company._meta.related_objects
        if (relation.one_to_many or relation.one_to_one) and relation.related_model is not tag_links
    ]
