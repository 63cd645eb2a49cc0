"""Writes of custom field definitions. The API and the admin call these; none of them
saves a definition itself. Deleting a definition keeps the values records store under
its key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customfields.models import CustomFieldDefinition

EDITABLE = frozenset({"label", "type", "options", "required"})


def _check(definition: CustomFieldDefinition) -> None:
    """The row rules (`clean`), the key's format and its uniqueness per record type
    in the account, as field errors. One query (the uniqueness)."""
    definition.full_clean(exclude=["account"])


@transaction.atomic
def custom_field_create(*, account, data: dict) -> CustomFieldDefinition:
    """A new definition of `account` from `data` (record_type, key, label, type,
    options, required). ValidationError by field; a key taken meanwhile by a
    concurrent create is the same error as one taken before."""
    data = dict(data)
    if data.get("options") is None:
        data["options"] = []
    if not (data.get("label") or "").strip():
        data["label"] = data.get("key", "")
    definition = CustomFieldDefinition(account_id=getattr(account, "pk", account), **data)
    _check(definition)
    try:
        with transaction.atomic():
            definition.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError({"key": ["A custom field with this key already exists."]}) from exc
    return definition


@transaction.atomic
def custom_field_update(*, definition: CustomFieldDefinition, data: dict) -> CustomFieldDefinition:
    """Write the label, type, options or required flag that differ from the stored
    definition (its row locked first); the key and the record type are fixed once
    created (ValidationError). A definition that is no longer a select loses its
    options when `data` does not give any."""
    fixed = {name for name in ("key", "record_type") if name in data} - EDITABLE
    changed_fixed = [name for name in sorted(fixed) if data[name] != getattr(definition, name)]
    if changed_fixed:
        raise ValidationError(
            {name: ["Fixed once the custom field is created."] for name in changed_fixed}
        )
    current = (
        CustomFieldDefinition.objects.for_account(definition.account_id)
        .select_for_update()
        .get(pk=definition.pk)
    )
    values = {name: value for name, value in data.items() if name in EDITABLE}
    if "options" in values and values["options"] is None:
        values["options"] = []
    if "label" in values and not (values["label"] or "").strip():
        values["label"] = current.key
    if (
        values.get("type", current.type) != CustomFieldDefinition.Type.SELECT
        and "options" not in values
    ):
        values["options"] = []
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, values[name])
    if not changed:
        return current
    _check(current)
    current.save(update_fields=[*changed, "updated_at"])
    return current


@transaction.atomic
def custom_field_delete(*, definition: CustomFieldDefinition) -> None:
    """Delete the definition; records keep the values stored under its key."""
    CustomFieldDefinition.objects.for_account(definition.account_id).filter(
        pk=definition.pk
    ).delete()
