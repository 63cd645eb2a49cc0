"""Writing the rows of a checked import: all or nothing, or only the valid ones."""

from __future__ import annotations

from django.db import transaction

from companies.services import companies_create
from contacts.imports.checking import CheckOutcome
from contacts.imports.reading import records
from contacts.imports.row_rules import RowValidator
from contacts.imports.rows import chunks, contact_rows, sentences
from contacts.models_import import ContactImport, ContactImportRecord
from contacts.services import BulkImportInvalid, contact_bulk_import
from events.models import Source

Action = ContactImportRecord.Action


def write_import(contact_import: ContactImport, *, user) -> CheckOutcome:
    """Write the rows through `contact_bulk_import` a chunk at a time, recording what
    each chunk created and updated (`ContactImportRecord`, in bulk).

    Call inside one transaction: the chunks are written in it one after the other (a
    later chunk sees the contacts an earlier one created, so a repeated email is a
    duplicate across chunks too). All or nothing: if a row turned invalid since the
    check (someone added a contact with its email meanwhile), raises
    `BulkImportInvalid` with errors shaped like `check_import`'s, for the caller to roll
    back. Importing the valid rows, such rows are left out instead, and come back in
    the outcome's `errors` with their cells (`{"row", "cells", "messages"}`).

    With `create_companies`, the companies the written rows name that don't exist are
    created first, once per name (`companies_create`: `company.created` events).
    A constant number of queries per chunk.
    """
    account = contact_import.account
    width = len(contact_import.headers)
    writer = _ChunkWriter(contact_import, user=user, validate_row=RowValidator(account))
    new_companies: dict | None = {} if contact_import.create_companies else None
    for batch in chunks(list(records(contact_import.content, contact_import.delimiter))):
        rows, problems = contact_rows(
            account, batch, contact_import.mapping, width, new_companies=new_companies
        )
        failed = [{"row": n, "messages": m} for n, m in sorted(problems.items())]
        if failed and not contact_import.keeps_valid_rows:
            raise BulkImportInvalid(failed)
        rows = [(n, row) for n, row in rows if n not in problems]
        failed += writer.write(rows)
        writer.outcome.errors += _with_cells(failed, batch)
    writer.outcome.errors.sort(key=lambda e: e["row"])
    return writer.outcome


class _ChunkWriter:
    """Writes chunks of valid-looking rows and records what they did; keeps the totals."""

    def __init__(self, contact_import: ContactImport, *, user, validate_row):
        self.contact_import = contact_import
        self.account = contact_import.account
        self.user = user
        self.validate_row = validate_row
        self.outcome = CheckOutcome()
        self.recorded: set[int] = set()  # contacts this import already recorded

    def write(self, rows: list[tuple[int, dict]]) -> list[dict]:
        """Write `rows` (`[(row number, values)]`); the rows left out, with messages.

        All or nothing, a row that fails raises `BulkImportInvalid`. Importing the valid
        rows, the chunk is tried again without its failed rows: a savepoint undoes the
        attempt (and the companies it created for them). At most two attempts in
        practice: the rows that remain were valid in the first one, and imports of one
        account take turns (`contact_bulk_import`).
        """
        left_out: list[dict] = []
        while rows:
            companies = list(
                {
                    id(c): c
                    for _n, row in rows
                    if (c := row.get("company")) is not None and c.pk is None
                }.values()
            )
            try:
                with transaction.atomic():
                    result = self._write_once(rows, companies)
            except BulkImportInvalid as exc:
                failed = [
                    {"row": rows[e["index"]][0], "messages": sentences(e["errors"])}
                    for e in exc.errors
                ]
                if not self.contact_import.keeps_valid_rows:
                    raise BulkImportInvalid(failed) from exc
                for company in companies:  # rolled back: new again for the next attempt
                    company.pk, company._state.adding = None, True
                numbers = {f["row"] for f in failed}
                rows = [(n, row) for n, row in rows if n not in numbers]
                left_out += failed
                continue
            self.outcome.created += result.created
            self.outcome.updated += result.updated
            self.outcome.skipped += result.skipped
            self.outcome.companies_created += len(companies)
            self.recorded.update(event.record_id for event in result.events)
            break
        return left_out

    def _write_once(self, rows: list[tuple[int, dict]], companies: list):
        companies_create(
            account=self.account, by=self.user, source=Source.IMPORT, companies=companies
        )
        result = contact_bulk_import(
            account=self.account,
            user=self.user,
            source=Source.IMPORT,
            rows=[row for _n, row in rows],
            on_duplicate=self.contact_import.on_duplicate,
            validate_row=self.validate_row,
            merge_custom_fields=True,  # an empty cell never overwrites a value
        )
        records = [self._record("company", c.pk, Action.CREATED, None) for c in companies]
        records += [
            self._record("contact", event.record_id, self._action(event), event.pk)
            for event in result.events
        ]
        ContactImportRecord.objects.for_account(self.account).bulk_create(records)
        return result

    def _action(self, event) -> str:
        if event.record_id in self.recorded:
            return Action.UPDATED_AGAIN
        return Action.CREATED if event.type == "contact.created" else Action.UPDATED

    def _record(self, record_type, record_id, action, event_id) -> ContactImportRecord:
        return ContactImportRecord(
            account_id=self.account.pk,
            contact_import_id=self.contact_import.pk,
            record_type=record_type,
            record_id=record_id,
            action=action,
            event_id=event_id,
        )


def _with_cells(failed: list[dict], batch) -> list[dict]:
    cells = dict(batch)
    return [f | {"cells": cells.get(f["row"], [])} for f in failed]
