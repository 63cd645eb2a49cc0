"""Checking every row of an import without writing, and the file of its failed rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rest_framework import serializers

from accounts.models import User
from companies.models import Company
from contacts.api.serializers import ContactSerializer
from contacts.imports.lookups import Directory, split_tags
from contacts.imports.mapping import FIELDS, IGNORE
from contacts.imports.reading import records
from contacts.models import Contact
from contacts.models_import import ContactImport
from contacts.spreadsheet_cells import neutralise_formula

CHUNK = 1_000


@dataclass
class CheckOutcome:
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _flatten(errors, prefix="") -> list[str]:
    """DRF's nested error dict as sentences: `Email: Enter a valid email address.`"""
    messages = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            label = FIELDS.get(name, "" if name in ("non_field_errors", "detail") else name)
            messages += _flatten(value, f"{label}: " if label else "")
    elif isinstance(errors, list | tuple):
        for value in errors:
            messages += _flatten(value, prefix)
    else:
        messages.append(f"{prefix}{errors}")
    return messages


def _api_rows(account, batch, mapping, width):
    """Each CSV row of a chunk as an API-shaped row (ids for company and owner).

    Returns `(rows, cache, problems)`: `rows` is `[(row number, dict, cells)]`, `cache`
    the related rows for the serializer, `problems` `{row number: [messages]}` for
    cells that name no company or member. Two queries for the whole chunk.
    """
    values = []
    cells_by_field: dict[str, set[str]] = {}
    problems: dict[int, list[str]] = {}
    for number, cells in batch:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems[number] = [
                f"This row has {len(cells)} cells but the header names {width} columns "
                "(a missing quote around a value with a comma?)."
            ]
        row = {}
        for index, name in enumerate(mapping):
            cell = cells[index].strip() if index < len(cells) else ""
            if name != IGNORE and cell:
                row[name] = cell
                cells_by_field.setdefault(name, set()).add(cell)
        values.append((number, row, cells))
    directory = Directory(account, cells_by_field)
    cache = {Company: {}, User: {}}
    rows = []
    for number, row, cells in values:
        api_row = dict(row)
        if "company" in row:
            try:
                company = directory.company(row["company"])
                api_row["company"] = company.pk
                cache[Company][company.pk] = company
            except LookupError as exc:
                problems.setdefault(number, []).append(f"Company: {exc}")
                del api_row["company"]
        if "owner" in row:
            try:
                user = directory.member(row["owner"])
                api_row["owner"] = user.pk
                cache[User][user.pk] = user
            except LookupError as exc:
                problems.setdefault(number, []).append(f"Owner: {exc}")
                del api_row["owner"]
        if "tags" in row:
            api_row["tags"] = split_tags(row["tags"])
        rows.append((number, api_row, cells))
    return rows, cache, problems


def _validator(account):
    """`validate_row(row, related_cache)` for `contact_bulk_import`: the API's rules.

    One serializer validates every row, as DRF's ListSerializer does with its child:
    its fields are built once rather than once a row, which halves a check's time.
    """
    context = {"bulk": True, "account": account, "related_cache": {}}
    serializer = ContactSerializer(context=context)

    def validate_row(row, related_cache):
        context["related_cache"] = related_cache
        try:
            return serializer.run_validation(row)
        except serializers.ValidationError as exc:
            raise ValueError(exc.detail) from exc

    return validate_row


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
    validate_row = _validator(account)
    on_duplicate = contact_import.on_duplicate
    outcome = CheckOutcome()
    seen_emails: dict[str, int] = {}
    checked = 0
    for batch in _chunks(list(records(contact_import.content, contact_import.delimiter))):
        rows, cache, problems = _api_rows(account, batch, mapping, width)
        valid = []
        for number, api_row, _cells in rows:
            messages = problems.get(number, [])
            try:
                data = validate_row(api_row, cache)
            except ValueError as exc:
                messages = messages + _flatten(exc.args[0])
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
                outcome.created += 1
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
        checked += len(batch)
        if on_progress(checked) is False:
            return None
    outcome.errors.sort(key=lambda e: e["row"])
    return outcome


def failed_rows_csv(contact_import: ContactImport) -> Iterator[list[str]]:
    """The header plus an "errors" column, then every failed row with its messages.

    Every cell is neutralised as in the export: the user's own file may carry
    formulas, and the messages quote cells back."""
    messages = {e["row"]: e["messages"] for e in contact_import.errors}
    width = len(contact_import.headers)
    yield [neutralise_formula(h) for h in [*contact_import.headers, "errors"]]
    for number, cells in records(contact_import.content, contact_import.delimiter):
        if number in messages:
            row = [*(cells + [""] * width)[:width], " | ".join(messages[number])]
            yield [neutralise_formula(cell) for cell in row]
