"""What a record's custom field values must be, for every face (API, web forms,
admin, CSV import, merge): the account's definitions of one record type, the check
of a `custom_fields` object against them, and the reading of a typed value from the
text of a form field or a CSV cell."""

from __future__ import annotations

import datetime as dt
import math
import re

from django.core.exceptions import ValidationError

from customfields.models import CustomFieldDefinition

Type = CustomFieldDefinition.Type
MAX_TEXT_LENGTH = 1_000
# JSON numbers beyond ±2^53 lose precision in most clients (lib/custom_fields.py).
MAX_INTEGER = 2**53
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})


def definitions_for(account_id, record_type: str) -> list[CustomFieldDefinition]:
    """The account's definitions for `record_type` ("contact", "company", "deal"),
    by key. One query."""
    account_id = getattr(account_id, "pk", account_id)
    return list(
        CustomFieldDefinition.objects.for_account(account_id)
        .filter(record_type=record_type)
        .order_by("key", "id")
    )


def value_error(definition: CustomFieldDefinition, value) -> str | None:
    """Why `value` does not fit the definition's type, or None when it does (null
    fits every type; "required" is checked by `validate_custom_values`)."""
    if value is None:
        return None
    kind = definition.type
    if kind == Type.TEXT:
        if not isinstance(value, str):
            return "must be text."
        if len(value) > MAX_TEXT_LENGTH:
            return f"must be at most {MAX_TEXT_LENGTH:,} characters."
        if "\x00" in value:
            return "must not contain NUL characters."
        return None
    if kind == Type.NUMBER:
        # bool is an int in Python, but `true` is not a number in JSON.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number."
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number."
        if abs(value) > MAX_INTEGER:
            return "must be within ±2^53."
        return None
    if kind == Type.BOOLEAN:
        return None if isinstance(value, bool) else "must be true or false."
    if kind == Type.DATE:
        if isinstance(value, str) and DATE_PATTERN.match(value):
            try:
                dt.date.fromisoformat(value)
                return None
            except ValueError:
                pass
        return "must be a date as YYYY-MM-DD."
    if kind == Type.SELECT:
        if isinstance(value, str) and value in (definition.options or []):
            return None
        return "must be one of: " + ", ".join(definition.options or []) + "."
    return None


def validate_custom_values(*, definitions, values, creating: bool) -> dict:
    """`values` (a record's `custom_fields`, or the keys a write changes) checked
    against `definitions`: a defined key's value fits its type or is null, and on
    create every required key is present and not null. Keys without a definition
    pass as they are. Returns `values`; raises
    `ValidationError({"custom_fields": [...]})` with one message per key, naming it.
    No query."""
    values = values or {}
    errors = []
    for definition in definitions:
        if definition.key in values:
            problem = value_error(definition, values[definition.key])
            if problem:
                errors.append(f"“{definition.key}” {problem}")
                continue
        if creating and definition.required and values.get(definition.key) is None:
            errors.append(f"“{definition.key}” is required.")
    if errors:
        raise ValidationError({"custom_fields": errors})
    return values


def changed_values(stored: dict | None, values: dict | None) -> dict:
    """The keys of `values` whose value differs from `stored` (what an update writes:
    values stored before their definition existed stay as they are until changed)."""
    stored = stored or {}
    return {
        key: value
        for key, value in (values or {}).items()
        if key not in stored or stored[key] != value or type(stored[key]) is not type(value)
    }


def check_custom_fields(
    *, account_id, record_type: str, values, stored=None, creating: bool
) -> None:
    """The write paths' check (the record services call it): on create the whole
    object, on update the keys that change. One query (the definitions)."""
    checked = values if creating else changed_values(stored, values)
    if not creating and not checked:
        return
    definitions = definitions_for(account_id, record_type)
    validate_custom_values(definitions=definitions, values=checked, creating=creating)


def coerce_custom_value(definition: CustomFieldDefinition, text):
    """The typed JSON value a form field or CSV cell's `text` stands for: "" is null,
    numbers as int or float, booleans from true/false, yes/no, 1/0, on/off, dates as
    YYYY-MM-DD, a select's option (its case ignored). ValidationError naming the key
    when the text does not read as the type."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    text = text.strip()
    if text == "":
        return None
    kind = definition.type
    value = text
    if kind == Type.NUMBER:
        value = _number(text)
    elif kind == Type.BOOLEAN:
        word = text.lower()
        value = True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    elif kind == Type.SELECT:
        options = definition.options or []
        value = next((o for o in options if o == text), None) or next(
            (o for o in options if o.casefold() == text.casefold()), text
        )
    problem = value_error(definition, value)
    if problem:
        raise ValidationError({"custom_fields": [f"“{definition.key}” {problem}"]})
    return value


def _number(text: str):
    """An int when the text is one, else a finite float; the text itself when neither
    (so `value_error` names the problem)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "e" not in text.lower() else number
