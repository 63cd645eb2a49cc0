"""Custom field values as the pages show them: a record's defined fields as
"label: value" rows, and the values of the columns a list shows; formatted by type,
an empty one as "—". Keys without a definition are not shown."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format

from customfields.models import CustomFieldDefinition

Type = CustomFieldDefinition.Type
EMPTY = "—"


def format_custom_value(definition: CustomFieldDefinition, value) -> str:
    """`value` (as stored) as text: numbers with thousands separators, Yes/No, dates
    as "Mar 5, 2026"; a value that does not fit the type (stored before the
    definition) as it is."""
    if value is None or value == "":
        return EMPTY
    kind = definition.type
    if kind == Type.BOOLEAN and isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == Type.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) or value.is_integer() else f"{value:,.10g}"
    if kind == Type.DATE and isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), "M j, Y")
        except ValueError:
            return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def custom_field_rows(definitions, values) -> list[dict]:
    """`[{"label", "value", "empty"}]` of every definition, for a record's page."""
    values = values or {}
    rows = []
    for definition in definitions:
        text = format_custom_value(definition, values.get(definition.key))
        rows.append({"label": definition.label, "value": text, "empty": text == EMPTY})
    return rows
