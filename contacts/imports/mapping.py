"""Matching a file's columns to contact fields, and replacing the file of an import."""

from __future__ import annotations

import re

from contacts.imports.reading import CsvFile
from contacts.models_import import ContactImport
from customfields.values import definitions_for

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
# A column mapped to a contact custom field: "cf_<key>" (the name the filters use).
CUSTOM_PREFIX = "cf_"

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


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def custom_field_choices(definitions) -> dict[str, str]:
    """The mapping's choices for the account's contact custom fields, by name."""
    return {f"{CUSTOM_PREFIX}{d.key}": f"{d.label} (custom field)" for d in definitions}


def guess_mapping(headers: list[str], definitions=()) -> list[str]:
    """A field (or IGNORE) per column, from the header names; each field used once.
    A header naming a contact custom field by its key (as the export writes it), by
    `cf_<key>` or by its label maps to it, after the contact's own fields."""
    custom = {}
    for definition in definitions:
        name = f"{CUSTOM_PREFIX}{definition.key}"
        for spelling in (definition.label, definition.key, name):
            custom.setdefault(header_key(spelling), name)
    mapping, used = [], set()
    for header in headers:
        key = header_key(header)
        guess = next(
            (f for f, aliases in HEADER_ALIASES.items() if key in aliases or key == f), IGNORE
        )
        if guess in used or guess == IGNORE:
            guess = custom.get(key, IGNORE)
        if guess in used:
            guess = IGNORE
        used.add(guess)
        mapping.append(guess)
    return mapping


def mapping_problems(mapping: list[str], definitions=()) -> list[str]:
    """What is wrong with a mapping, as sentences (empty when it can be used)."""
    problems = []
    labels = FIELDS | custom_field_choices(definitions)
    chosen = [f for f in mapping if f != IGNORE]
    order = list(labels)
    for name in sorted(
        {f for f in chosen if chosen.count(f) > 1},
        key=lambda f: order.index(f) if f in order else len(order),
    ):
        problems.append(f"Only one column can be {labels.get(name, name)}.")
    for name in REQUIRED:
        if name not in chosen:
            problems.append(f"Choose the column that holds the {FIELDS[name].lower()}.")
    for name in chosen:
        if name not in labels:
            problems.append(f"No field “{name}” to import into: choose the column's field again.")
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
    replaced = ContactImport.objects.for_account(contact_import.account_id).replace_file(
        contact_import.pk,
        file_name=file_name[:255],
        mapping=mapping
        or guess_mapping(csv_file.headers, definitions_for(contact_import.account_id, "contact")),
        **file_fields(csv_file),
    )
    return (mapping is not None) if replaced else None
