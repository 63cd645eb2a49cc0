"""Writing every row of a checked import, all or nothing."""

from __future__ import annotations

from contacts.imports.checking import CheckOutcome
from contacts.imports.reading import records
from contacts.imports.row_rules import RowValidator
from contacts.imports.rows import chunks, contact_rows, sentences
from contacts.models_import import ContactImport
from contacts.services import BulkImportInvalid, contact_bulk_import
from events.models import Source


def write_import(contact_import: ContactImport, *, user) -> CheckOutcome:
    """Write every row, all or nothing, through `contact_bulk_import` a chunk at a time.

    Call inside one transaction: the chunks are written in it one after the other (a
    later chunk sees the contacts an earlier one created, so a repeated email is a
    duplicate across chunks too). If a row turned invalid since the check (someone
    added a contact with its email meanwhile), raises `BulkImportInvalid` with errors
    shaped like `check_import`'s, for the caller to roll back.
    """
    account = contact_import.account
    width = len(contact_import.headers)
    validate_row = RowValidator(account)
    outcome = CheckOutcome()
    for batch in chunks(list(records(contact_import.content, contact_import.delimiter))):
        rows, problems = contact_rows(account, batch, contact_import.mapping, width)
        if problems:
            raise BulkImportInvalid(
                [{"row": n, "messages": m} for n, m in sorted(problems.items())]
            )
        try:
            result = contact_bulk_import(
                account=account,
                user=user,
                source=Source.IMPORT,
                rows=[row for _n, row in rows],
                on_duplicate=contact_import.on_duplicate,
                validate_row=validate_row,
            )
        except BulkImportInvalid as exc:
            raise BulkImportInvalid(
                [
                    {"row": rows[e["index"]][0], "messages": sentences(e["errors"])}
                    for e in exc.errors
                ]
            ) from exc
        outcome.created += result.created
        outcome.updated += result.updated
        outcome.skipped += result.skipped
    return outcome
