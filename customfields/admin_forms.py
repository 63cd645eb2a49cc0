"""The admin's record forms with the account's custom fields as typed form fields
(`cf_<key>`): text, a number, a yes/no choice, a date, a select. They are written into
the record's `custom_fields` (with the keys without a definition, edited as JSON), so
the admin saves them through the record's service like any other field."""

from __future__ import annotations

from django import forms
from django.utils.functional import cached_property

from accounts.admin_base import admin_account_ids
from customfields.form_fields import custom_form_field
from customfields.models import CustomFieldDefinition
from customfields.values import (
    changed_values,
    definitions_for,
    validate_custom_values,
    value_error,
)
from lib.ids import parse_id

Type = CustomFieldDefinition.Type
PREFIX = "cf_"


# The admin's own widgets: a boolean may be left unknown (absent from the record).
ADMIN_WIDGETS = {Type.BOOLEAN: forms.NullBooleanSelect}


def form_field_for(definition: CustomFieldDefinition, *, creating: bool) -> forms.Field:
    """The typed form field of one definition (the web app's, with the admin's
    widgets), required on an add form only, as the rule is. Its cleaned value is the
    JSON value stored, None when empty."""
    return custom_form_field(
        definition,
        creating=creating,
        widgets={kind: widget() for kind, widget in ADMIN_WIDGETS.items()},
        help_text=f"Custom field “{definition.key}”.",
    )


class CustomFieldsForm(forms.ModelForm):
    """Mixed into the admin's ModelForm by `CustomFieldsAdmin.get_form`, which sets the
    class attributes below and the `cf_<key>` fields."""

    custom_field_definitions: list = []
    custom_field_record_type = ""
    custom_field_account_id = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As stored: validation (construct_instance) writes the form's values into the
        # instance before the admin asks what changed.
        stored = dict((self.instance.custom_fields or {}) if self.instance.pk else {})
        self.stored_custom_fields = stored
        typed = {}
        for definition in self.custom_field_definitions:
            value = stored.get(definition.key)
            # A value stored before its definition (of another type) stays in the JSON
            # of the other keys, where it can be seen and fixed.
            if definition.key in stored and value_error(definition, value) is None:
                typed[definition.key] = value
                self.initial[PREFIX + definition.key] = value
        if "custom_fields" in self.fields:
            self.initial["custom_fields"] = {k: v for k, v in stored.items() if k not in typed}
            self.fields["custom_fields"].label = "Other custom fields"
            self.fields["custom_fields"].help_text = "Keys without a definition, as JSON."

    def clean(self):
        data = super().clean()
        others = data.get("custom_fields")
        if "custom_fields" not in self.fields or not isinstance(others, dict):
            return data
        merged = dict(others)
        for definition in self.custom_field_definitions:
            name = PREFIX + definition.key
            if data.get(name) is not None:
                merged[definition.key] = data[name]
        data["custom_fields"] = merged
        self._check_custom_values(data, merged)
        return data

    @cached_property
    def changed_fields(self) -> set[str]:
        return set(super().changed_data)

    def _check_custom_values(self, data, merged: dict) -> None:
        """The rule every write path enforces, as form errors instead of a failed save."""
        account = data.get("account") or getattr(self.instance, "account", None)
        account_id = getattr(account, "pk", None) or self.instance.account_id
        if account_id is None:
            return
        definitions = self.custom_field_definitions
        if account_id != self.custom_field_account_id:
            definitions = definitions_for(account_id, self.custom_field_record_type)
        creating = self.instance.pk is None
        stored = self.stored_custom_fields
        for definition in definitions:
            values = merged if creating else changed_values(stored, merged)
            try:
                validate_custom_values(definitions=[definition], values=values, creating=creating)
            except forms.ValidationError as exc:
                name = PREFIX + definition.key
                self.add_error(name if name in self.fields else "custom_fields", exc.messages)

    @property
    def changed_data(self):
        names = list(self.changed_fields)
        cleaned = getattr(self, "cleaned_data", {}).get("custom_fields")
        if (
            isinstance(cleaned, dict)
            and cleaned != self.stored_custom_fields
            and "custom_fields" not in names
        ):
            names.append("custom_fields")
        return names


class CustomFieldsAdmin:
    """Mixin for a record's ModelAdmin (before AccountScopedAdmin): the account's
    definitions of `custom_field_record_type` as typed fields of its form. One query
    per page (the definitions, cached on the request)."""

    custom_field_record_type = ""

    def custom_field_account_id(self, request, obj) -> int | None:
        """The record's account; on an add page the account posted (if the user
        administers it), else the one account the user administers."""
        if obj is not None:
            return obj.account_id
        posted = parse_id(request.POST.get("account")) if request.method == "POST" else None
        if posted is not None and (
            request.user.is_superuser or posted in admin_account_ids(request)
        ):
            return posted
        ids = admin_account_ids(request)
        return ids[0] if len(ids) == 1 else None

    def custom_field_definitions(self, request, obj) -> tuple[int | None, list]:
        account_id = self.custom_field_account_id(request, obj)
        cache = request.__dict__.setdefault("_custom_field_definitions", {})
        key = (account_id, self.custom_field_record_type)
        if key not in cache:
            cache[key] = (
                definitions_for(account_id, self.custom_field_record_type) if account_id else []
            )
        return account_id, cache[key]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        _account_id, definitions = self.custom_field_definitions(request, obj)
        typed = [PREFIX + d.key for d in definitions]
        if not typed:
            return fields
        at = fields.index("custom_fields") if "custom_fields" in fields else len(fields)
        return [*fields[:at], *typed, *fields[at:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        account_id, definitions = self.custom_field_definitions(request, obj)
        base = kwargs.get("form") or self.form
        attrs = {PREFIX + d.key: form_field_for(d, creating=obj is None) for d in definitions}
        attrs |= {
            "custom_field_definitions": definitions,
            "custom_field_record_type": self.custom_field_record_type,
            "custom_field_account_id": account_id,
            "__module__": __name__,
        }
        bases = (base,) if issubclass(base, CustomFieldsForm) else (CustomFieldsForm, base)
        kwargs["form"] = type(f"{base.__name__}WithCustomFields", bases, attrs)
        return super().get_form(request, obj, change=change, **kwargs)
