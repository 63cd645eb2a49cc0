"""A record's row as JSON and back: what the trash keeps and what restore inserts."""

from __future__ import annotations

import datetime

from django.db import models

# Not kept: the trash row has its own account and record id.
_IMPLIED = ("id", "account_id")


def row_values(record: models.Model) -> dict:
    """`{attname: value}` of every column but `id` and `account_id`, as JSON values."""
    values = {}
    for field in record._meta.concrete_fields:
        if field.attname in _IMPLIED:
            continue
        value = field.value_from_object(record)
        if isinstance(field, models.JSONField):
            values[field.attname] = value  # already JSON
        else:
            values[field.attname] = None if value is None else _json_scalar(field, record, value)
    return values


def _json_scalar(field: models.Field, record: models.Model, value):
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()  # to the microsecond, which the JSON encoder cuts
    # Decimals, UUIDs, phone numbers (contacts.phones.StoredPhoneNumber, which the
    # JSON encoder refuses): as text, which the field's to_python() reads back.
    return field.value_to_string(record)


def rebuilt(model: type[models.Model], *, account_id: int, record_id: int, values: dict):
    """An unsaved instance of `model` with the kept values, its id and account. Columns
    added since the record was trashed take their defaults; columns dropped since are
    ignored."""
    record = model(id=record_id, account_id=account_id)
    for field in model._meta.concrete_fields:
        if field.attname in _IMPLIED or field.attname not in values:
            continue
        value = values[field.attname]
        if value is not None and not isinstance(field, models.JSONField):
            value = field.to_python(value)
        setattr(record, field.attname, value)
    return record
