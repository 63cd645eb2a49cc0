"""Checking every row of an import without writing, and the file of its failed rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from contacts.imports.reading import records
from contacts.imports.row_rules import RowValidator
from contacts.imports.rows import chunks, contact_rows, sentences
from contacts.models import Contact
from contacts.models_import import ContactImport
from lib.spreadsheet_cells import neutralise_formula


@dataclass
class CheckOutcome:
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    companies_created: int = 0


def check_import(contact_import: ContactImport, *, on_progress) -> CheckOutcome | None:
    """Check every row without writing anything, a chunk of 1,000 rows at a time.

    Finds bad cells, unknown companies and owners, and duplicate emails (in the file,
    or already in the account), and counts what an import would create, update or
    skip. Calls `on_progress(rows_checked)` after each chunk; when it returns False
    (cancelled, or a newer run started) stops and returns None. About four queries a
    chunk.
    """
    account = contact_import.account
    mapping = contact_import.mapping
    width = len(contact_import.headers)
    validate_row = RowValidator(account)
    on_duplicate = contact_import.on_duplicate
    outcome = CheckOutcome()
    seen_emails: dict[str, int] = {}
    new_companies: dict | None = {} if contact_import.create_companies else None
    companies_to_create: set[int] = set()
    checked = 0
    for batch in chunks(list(records(contact_import.content, contact_import.delimiter))):
        rows, problems = contact_rows(account, batch, mapping, width, new_companies=new_companies)
        valid = []
        for number, row in rows:
            messages = problems.get(number, [])
            try:
                data = validate_row(row)
            except ValueError as exc:
                messages = messages + sentences(exc.args[0])
            else:
                if not messages:
                    valid.append((number, data))
            if messages:
                outcome.errors.append({"row": number, "messages": messages})
        emails = {data["email"] for _n, data in valid if data.get("email")}
        existing = (
            set(
                Contact.objects.for_account(account)
                .with_emails(emails)
                .order_by()
                .values_list("email", flat=True)
            )
            if emails
            else set()
        )
        for number, data in valid:
            email = data.get("email") or ""
            first = seen_emails.get(email) if email else None
            if email and first is None:
                seen_emails[email] = number
            if first is None and email not in existing:
                if problems := validate_row.creation_problems(data):
                    outcome.errors.append({"row": number, "messages": problems})
                    continue
                outcome.created += 1
                _count_new_company(data, companies_to_create)
                continue
            if on_duplicate == ContactImport.OnDuplicate.ERROR:
                message = (
                    f"Email: this email repeats row {first}."
                    if first is not None
                    else "Email: a contact with this email already exists."
                )
                outcome.errors.append({"row": number, "messages": [message]})
            elif on_duplicate == ContactImport.OnDuplicate.SKIP:
                outcome.skipped += 1
            else:
                outcome.updated += 1
                _count_new_company(data, companies_to_create)
        checked += len(batch)
        if on_progress(checked) is False:
            return None
    outcome.errors.sort(key=lambda e: e["row"])
    outcome.companies_created = len(companies_to_create)
    return outcome


def _count_new_company(data: dict, new: set[int]) -> None:
    """Note the company a written row would create (unsaved: `contact_rows` made it)."""
    company = data.get("company")
    if company is not None and company.pk is None:
        new.add(id(company))  # one instance per name (contact_rows)


def failed_rows_csv(contact_import: ContactImport) -> Iterator[list[str]]:
    """The header plus an "error" column, then every failed row with its messages:
    from the file while it is kept (a check's errors), else from the rows a finished
    import of the valid rows left out (`failed_rows`).

    Every cell is neutralised as in the export: the user's own file may carry
    formulas, and the messages quote cells back."""
    width = len(contact_import.headers)
    yield [neutralise_formula(h) for h in [*contact_import.headers, "error"]]
    for failed in failed_rows(contact_import):
        row = [*(failed["cells"] + [""] * width)[:width], " | ".join(failed["messages"])]
        yield [neutralise_formula(cell) for cell in row]


def failed_rows(contact_import: ContactImport) -> Iterator[dict]:
    """`{"row", "cells", "messages"}` of each failed row, in row order."""
    if contact_import.is_finished:
        yield from contact_import.failed_rows
        return
    messages = {e["row"]: e["messages"] for e in contact_import.errors}
    for number, cells in records(contact_import.content, contact_import.delimiter):
        if number in messages:
            yield {"row": number, "cells": cells, "messages": messages[number]}
