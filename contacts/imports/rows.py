"""An import's CSV rows as contact field values, a chunk at a time, and its messages."""

from __future__ import annotations

from collections.abc import Iterator

from companies.models import Company
from contacts.imports.lookups import (
    Directory,
    UnknownCompany,
    company_name,
    company_name_key,
    split_tags,
)
from contacts.imports.mapping import FIELDS, IGNORE

CHUNK = 1_000


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sentences(errors, prefix="") -> list[str]:
    """A nested error dict as sentences: `Email: Enter a valid email address.`"""
    messages = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            # Custom field messages name their field already ("“score” must be a number.").
            unnamed = ("non_field_errors", "detail", "custom_fields")
            label = FIELDS.get(name, "" if name in unnamed else name)
            messages += sentences(value, f"{label}: " if label else "")
    elif isinstance(errors, list | tuple):
        for value in errors:
            messages += sentences(value, prefix)
    else:
        messages.append(f"{prefix}{errors}")
    return messages


COMPANY_NAME_MAX = Company._meta.get_field("name").max_length


def contact_rows(account, batch, mapping, width, *, new_companies: dict | None = None):
    """Each CSV row of a chunk as the values of the fields it maps, non-empty cells only.

    Returns `(rows, problems)`: `rows` is `[(row number, values)]` with the company and
    the owner as rows of the account and the tags as a list of names, `problems`
    `{row number: [messages]}` for rows with too many cells and cells that name no
    company or member. Two queries for the whole chunk.

    With `new_companies` (a dict the caller keeps across chunks), a company cell that
    names no company of the account is not an error: it gets an unsaved `Company`,
    one per name whatever its case or spacing (`company_name_key`), kept in
    `new_companies` so every row naming it, in any chunk, shares it; the writer saves
    them (`companies_create`) before the rows.
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
        values.append((number, row))
    directory = Directory(account, cells_by_field)
    rows = []
    for number, row in values:
        found = {"company": directory.company, "owner": directory.member}
        for name, find in found.items():
            if name not in row:
                continue
            try:
                row[name] = find(row[name])
            except UnknownCompany as exc:
                if new_companies is None:
                    problems.setdefault(number, []).append(f"{FIELDS[name]}: {exc}")
                    del row[name]
                elif len(company_name(row[name])) > COMPANY_NAME_MAX:
                    problems.setdefault(number, []).append(
                        f"{FIELDS[name]}: a new company's name can have at most "
                        f"{COMPANY_NAME_MAX} characters."
                    )
                    del row[name]
                else:
                    key = company_name_key(row[name])
                    if key not in new_companies:
                        new_companies[key] = Company(account=account, name=company_name(row[name]))
                    row[name] = new_companies[key]
            except LookupError as exc:
                problems.setdefault(number, []).append(f"{FIELDS[name]}: {exc}")
                del row[name]
        if "tags" in row:
            row["tags"] = split_tags(row["tags"])
        rows.append((number, row))
    return rows, problems
