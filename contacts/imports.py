"""Importing contacts from a CSV file: reading the file, mapping its columns, checking rows.

No HTTP here: the web views call `read_csv()` on upload and save a `ContactImport`;
the background task (contacts/tasks.py) calls `check_import()` and `write_import()`.

Decisions a user meets:
- The file is UTF-8 (with or without a BOM; Excel's "CSV UTF-8"), or UTF-16 with a BOM
  (Excel's "Unicode text"); anything else is read as Windows-1252, the legacy Excel
  encoding, when every byte is valid in it; otherwise the user is told to save as UTF-8.
- The separator is a comma, a semicolon (Excel in many European locales) or a tab,
  whichever the header row uses most.
- Row numbers are the spreadsheet's: the header is row 1, blank lines count as rows
  (and are skipped), so "row 14" is what the user sees in Excel.
- A *company* cell names one of the account's companies by name (any case) or by
  domain (`acme.com`, `www.acme.com`, `https://acme.com/`); an unknown or ambiguous
  company is an error on the row, never created silently.
- An *owner* cell is a member's username or email; empty means the importing user
  for new contacts and "unchanged" for updated ones.
- *Tags* are separated by `;` or `,`.
- An empty cell never overwrites a value when a duplicate updates an existing contact.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from rest_framework import serializers

from accounts.models import User
from companies.models import Company
from contacts.api.serializers import ContactSerializer
from contacts.models import Contact
from contacts.models_import import ContactImport
from contacts.services import BulkImportInvalid, contact_bulk_import
from events.models import Source
from lib.spreadsheet_cells import neutralise_formula

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_BYTES = 10 * 1024 * 1024
CHUNK = 1_000
PREVIEW_ROWS = 5

IGNORE = ""
FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "title": "Job title",
    "company": "Company",
    "owner": "Owner",
    "tags": "Tags",
}
REQUIRED = ("first_name",)

# Header spellings (lower case, letters and digits only) that mean each field.
HEADER_ALIASES = {
    "first_name": {"firstname", "first", "givenname", "forename", "prenom", "vorname"},
    "last_name": {"lastname", "last", "surname", "familyname", "nom", "nachname"},
    "email": {
        "email",
        "emailaddress",
        "mail",
        "email1",
        "emailaddress1",
        "workemail",
        "primaryemail",
        "courriel",
    },
    "phone": {
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "mobilephone",
        "cell",
        "cellphone",
        "workphone",
        "businessphone",
        "primaryphone",
    },
    "title": {"title", "jobtitle", "position", "role", "jobrole"},
    "company": {
        "company",
        "companyname",
        "organization",
        "organisation",
        "account",
        "accountname",
        "employer",
        "companydomain",
        "domain",
        "website",
    },
    "owner": {"owner", "contactowner", "accountowner", "assignedto", "salesrep", "rep"},
    "tags": {"tags", "tag", "labels", "label", "categories", "groups"},
}


class CsvProblem(ValueError):
    """The file cannot be imported at all; the message says why, for the user."""


@dataclass
class CsvFile:
    headers: list[str]
    encoding: str
    delimiter: str
    text: str
    row_count: int


@dataclass
class CheckOutcome:
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0


# -- reading the file ----------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding; `CsvProblem` if it has none we read."""
    if data.startswith(b"PK\x03\x04"):
        raise CsvProblem(
            "This is an Excel workbook (.xlsx), not a CSV file. In Excel choose "
            "File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise CsvProblem("This file says it is UTF-16 but is not valid UTF-16.") from exc
    if b"\x00" in data[:8192]:
        raise CsvProblem("This is not a text file. Upload a CSV file (comma-separated values).")
    try:
        text = data.decode("utf-8-sig")
        encoding = "UTF-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError as exc:
            raise CsvProblem(
                "The file's characters could not be read. Save it as “CSV UTF-8” and "
                "upload it again."
            ) from exc
    if "\x00" in text:
        raise CsvProblem("This is not a text file. Upload a CSV file (comma-separated values).")
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the one the first non-blank line uses most outside quotes."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _reader(text: str, delimiter: str):
    # newline="" keeps line breaks inside quoted cells and splits rows only on
    # \n, \r or \r\n (not on the other characters str.splitlines() breaks at).
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every non-blank data row; the header is row 1."""
    reader = _reader(text, delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1 or not any(cell.strip() for cell in cells):
                continue
            yield number, cells
    except csv.Error as exc:
        raise CsvProblem(f"The file is not valid CSV near row {reader.line_num}: {exc}.") from exc


def read_header(text: str, delimiter: str) -> list[str]:
    try:
        first = next(_reader(text, delimiter), [])
    except csv.Error as exc:
        raise CsvProblem(f"The header row is not valid CSV: {exc}.") from exc
    return [cell.strip() for cell in first]


def read_csv(data: bytes) -> CsvFile:
    """Decode and measure an uploaded file; `CsvProblem` with a message for the user."""
    if not data.strip():
        raise CsvProblem("The file is empty. Upload a CSV file with a header row and contacts.")
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    text, encoding = decode(data)
    if not text.strip():
        raise CsvProblem("The file is empty. Upload a CSV file with a header row and contacts.")
    # The header is the first line of the file; blank lines before it are not allowed,
    # so row numbers stay the spreadsheet's.
    if not re.split(r"[\r\n]", text, maxsplit=1)[0].strip():
        raise CsvProblem("The first line of the file is empty: it must be the header row.")
    delimiter = sniff_delimiter(text)
    headers = read_header(text, delimiter)
    if not any(headers):
        raise CsvProblem("The header row is empty: the first line must name the columns.")
    if len(headers) > MAX_COLUMNS:
        raise CsvProblem(
            f"The file has {len(headers):,} columns; at most {MAX_COLUMNS} can be imported. "
            "Remove the columns you don't need."
        )
    row_count = 0
    for _number, _cells in records(text, delimiter):
        row_count += 1
        if row_count > MAX_ROWS:
            raise CsvProblem(
                f"The file has more than {MAX_ROWS:,} contacts. Split it into files of at "
                f"most {MAX_ROWS:,} rows and import them one after the other."
            )
    if not row_count:
        raise CsvProblem("The file has a header row but no contacts below it.")
    return CsvFile(
        headers=headers, encoding=encoding, delimiter=delimiter, text=text, row_count=row_count
    )


def preview(text: str, delimiter: str, width: int, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first data rows, each `{"row": n, "cells": [...]}` padded to `width` cells."""
    rows = []
    for number, cells in records(text, delimiter):
        rows.append({"row": number, "cells": (cells + [""] * width)[:width]})
        if len(rows) == limit:
            break
    return rows


# -- mapping columns to fields -------------------------------------------------


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> list[str]:
    """A field (or IGNORE) per column, from the header names; each field used once."""
    mapping, used = [], set()
    for header in headers:
        key = header_key(header)
        guess = next(
            (f for f, aliases in HEADER_ALIASES.items() if key in aliases or key == f), IGNORE
        )
        if guess in used:
            guess = IGNORE
        used.add(guess)
        mapping.append(guess)
    return mapping


def mapping_problems(mapping: list[str]) -> list[str]:
    """What is wrong with a mapping, as sentences (empty when it can be used)."""
    problems = []
    chosen = [f for f in mapping if f != IGNORE]
    for name in sorted({f for f in chosen if chosen.count(f) > 1}, key=list(FIELDS).index):
        problems.append(f"Only one column can be {FIELDS[name]}.")
    for name in REQUIRED:
        if name not in chosen:
            problems.append(f"Choose the column that holds the {FIELDS[name].lower()}.")
    return problems


def carry_mapping(old_headers, old_mapping, new_headers) -> list[str] | None:
    """The old mapping for a new file with the same columns (any case), else None."""
    if [header_key(h) for h in old_headers] != [header_key(h) for h in new_headers]:
        return None
    return list(old_mapping)


def file_fields(csv_file: CsvFile) -> dict:
    """A ContactImport's fields that describe its file."""
    return {
        "encoding": csv_file.encoding,
        "delimiter": csv_file.delimiter,
        "content": csv_file.text,
        "headers": csv_file.headers,
        "row_count": csv_file.row_count,
    }


def contact_import_replace_file(
    *, contact_import, csv_file: CsvFile, file_name: str
) -> bool | None:
    """Put a fixed file into an import and forget the old results.

    Keeps the mapping when the columns are the same (returns True: the caller checks
    the rows again at once); otherwise guesses a new one and goes back to matching
    columns (returns False). None when the import can no longer be changed (it started
    writing meanwhile). One query.
    """
    mapping = carry_mapping(contact_import.headers, contact_import.mapping, csv_file.headers)
    replaced = ContactImport.objects.for_account(contact_import.account_id).transition(
        contact_import.pk,
        to=ContactImport.Status.MAPPING,
        expected=ContactImport.EDITABLE,
        file_name=file_name[:255],
        mapping=mapping or guess_mapping(csv_file.headers),
        errors=[],
        error_count=0,
        problem="",
        **file_fields(csv_file),
    )
    return (mapping is not None) if replaced else None


# -- checking rows ---------------------------------------------------------------


def split_tags(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def domain_key(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    return text.removeprefix("www.")


class _Directory:
    """The account's companies and members that one chunk's cells name: two queries."""

    def __init__(self, account, cells_by_field: dict[str, set[str]]):
        names = {c.strip().lower() for c in cells_by_field.get("company", ())}
        domains = {domain_key(c) for c in cells_by_field.get("company", ())} - {""}
        self.companies_by_name: dict[str, list[Company]] = {}
        self.companies_by_domain: dict[str, list[Company]] = {}
        if names:
            companies = (
                Company.objects.for_account(account)
                .annotate(name_lower=Lower("name"), domain_lower=Lower("domain"))
                .filter(Q(name_lower__in=names) | Q(domain_lower__in=domains))
                .only("id", "name", "domain", "account_id")
                .order_by()
            )
            for company in companies:
                self.companies_by_name.setdefault(company.name_lower, []).append(company)
                key = domain_key(company.domain)
                if key:
                    self.companies_by_domain.setdefault(key, []).append(company)
        owners = {c.strip().lower() for c in cells_by_field.get("owner", ())}
        self.members: dict[str, list[User]] = {}
        if owners:
            members = (
                User.objects.filter(memberships__account=account)
                .annotate(username_lower=Lower("username"), email_lower=Lower("email"))
                .filter(Q(username_lower__in=owners) | Q(email_lower__in=owners))
            )
            for user in members:
                self.members.setdefault(user.username_lower, []).append(user)
                if user.email_lower:
                    self.members.setdefault(user.email_lower, []).append(user)

    def company(self, text: str) -> Company:
        found = self.companies_by_name.get(text.strip().lower()) or self.companies_by_domain.get(
            domain_key(text)
        )
        if not found:
            raise LookupError(
                f"No company named or with the domain “{text.strip()}” in this account. "
                "Add the company first, or leave the cell empty."
            )
        if len(found) > 1:
            raise LookupError(
                f"Several companies are named “{text.strip()}”; use the company's domain."
            )
        return found[0]

    def member(self, text: str) -> User:
        found = {u.pk: u for u in self.members.get(text.strip().lower(), [])}
        if len(found) != 1:
            raise LookupError(
                f"“{text.strip()}” is not the username or email of a member of this account."
            )
        return next(iter(found.values()))


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
    directory = _Directory(account, cells_by_field)
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
    validate_row = _validator(account)
    outcome = CheckOutcome()
    for batch in _chunks(list(records(contact_import.content, contact_import.delimiter))):
        rows, _cache, problems = _api_rows(account, batch, contact_import.mapping, width)
        if problems:
            raise BulkImportInvalid(
                [{"row": n, "messages": m} for n, m in sorted(problems.items())]
            )
        try:
            result = contact_bulk_import(
                account=account,
                user=user,
                source=Source.IMPORT,
                rows=[api_row for _n, api_row, _c in rows],
                on_duplicate=contact_import.on_duplicate,
                validate_row=validate_row,
            )
        except BulkImportInvalid as exc:
            raise BulkImportInvalid(
                [
                    {"row": rows[e["index"]][0], "messages": _flatten(e["errors"])}
                    for e in exc.errors
                ]
            ) from exc
        outcome.created += result.created
        outcome.updated += result.updated
        outcome.skipped += result.skipped
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
