"""The account's custom fields on the contact, company and deal forms: one typed form
field per definition (text, number, yes/no checkbox, date, select), named
`cf_<key>`, whose values the form writes into the record's `custom_fields`.

Values are read by `customfields.values.coerce_custom_value` and checked by
`validate_custom_values`, the functions the API and the CSV import use, so a value
the API refuses is a form error here too. Keys without a definition are never shown
and never written: an edit merges the fields the user changed into the record's
stored object.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from customfields.models import CustomFieldDefinition
from customfields.values import (
    MAX_TEXT_LENGTH,
    coerce_custom_value,
    definitions_for,
    validate_custom_values,
    value_error,
)

PREFIX = "cf_"
Type = CustomFieldDefinition.Type


def field_name(definition: CustomFieldDefinition) -> str:
    return f"{PREFIX}{definition.key}"


class CustomValueField(forms.Field):
    """One definition's value: the widget's text read as the type's JSON value (None
    when empty), with the same messages as the API's."""

    def __init__(self, *, definition: CustomFieldDefinition, **kwargs):
        self.definition = definition
        super().__init__(**kwargs)
        # The API's words, naming the key.
        self.error_messages["required"] = f"“{definition.key}” is required."

    def to_python(self, value):
        if isinstance(value, dt.date):
            value = value.isoformat()
        try:
            return coerce_custom_value(self.definition, value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["custom_fields"], code="invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        if _text(initial) == _text(data):  # a stale select option shown as it was
            return False
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class CustomChoiceField(CustomValueField):
    """A select's options; a stored value that is no longer an option stays offered
    (marked), so an edit that does not touch the field keeps it."""

    def __init__(self, *, definition, stored=None, **kwargs):
        options = list(definition.options or [])
        choices = [("", "—"), *((o, o) for o in options)]
        self.stale = None
        if isinstance(stored, str) and stored and stored not in options:
            self.stale = stored
            choices.append((stored, f"{stored} (no longer an option)"))
        kwargs.setdefault("widget", forms.Select(choices=choices))
        super().__init__(definition=definition, **kwargs)

    def to_python(self, value):
        if self.stale is not None and value == self.stale:
            return value  # kept as it is: the form only writes fields that changed
        return super().to_python(value)


class CustomBooleanField(CustomValueField):
    """A checkbox: ticked is true, left empty false (so never "required")."""

    widget = forms.CheckboxInput

    def to_python(self, value):
        # The checkbox gives a bool; the hidden "opened on" input the text "True".
        if isinstance(value, str):
            return value.strip().lower() in ("true", "on", "1", "yes")
        return bool(value)

    def has_changed(self, initial, data):
        return bool(initial) != self.to_python(data)


def custom_form_field(
    definition: CustomFieldDefinition, *, creating: bool, stored=None
) -> forms.Field:
    """The form field for one definition (`stored`: the record's value, if any).
    Required on a new record's form only, as the rule is for every face (the API, the
    admin): an edit may leave a value out that the record never had."""
    common = {
        "label": definition.label or definition.key,
        "required": creating and definition.required,
    }
    kind = definition.type
    if kind == Type.BOOLEAN:
        return CustomBooleanField(definition=definition, label=common["label"], required=False)
    if kind == Type.SELECT:
        return CustomChoiceField(definition=definition, stored=stored, **common)
    if kind == Type.NUMBER:
        widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    elif kind == Type.DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    else:
        widget = forms.TextInput(attrs={"maxlength": MAX_TEXT_LENGTH})
    return CustomValueField(definition=definition, widget=widget, **common)


class CustomFieldsFormMixin:
    """For a record form taking `account=` (AccountModelForm): a typed field per custom
    field of `custom_field_record_type`. List it first among the form's bases.
    One query (the definitions)."""

    custom_field_record_type = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_definitions = definitions_for(self.account, self.custom_field_record_type)
        stored = self.instance.custom_fields or {} if self.instance.pk is not None else {}
        names = []
        for definition in self.custom_definitions:
            name = field_name(definition)
            value = stored.get(definition.key)
            field = custom_form_field(definition, creating=self.instance.pk is None, stored=value)
            self.fields[name] = field
            # A value stored before its definition that does not fit its type is not
            # shown (a number input would send it back empty): left out, it stays as
            # it is unless the user types a new one. A select keeps its old option.
            fits = value_error(definition, value) is None or getattr(field, "stale", None)
            if self.instance.pk is not None and definition.key in stored and fits:
                self.initial[name] = value
            names.append(name)
        self.custom_field_names = names
        if hasattr(self, "carry_opened_values"):  # web/opened_values.py
            self.carry_opened_values(names)

    @property
    def custom_field_list(self) -> list:
        """The bound custom fields, in the definitions' order (for the template)."""
        return [self[name] for name in self.custom_field_names]

    def clean(self):
        data = super().clean()
        creating = self.instance.pk is None
        for definition in self.custom_definitions:
            name = field_name(definition)
            if name not in data or (not creating and name not in self.changed_data):
                continue
            # The API's own check (type, and required keys on create), by field.
            try:
                validate_custom_values(
                    definitions=[definition],
                    values={definition.key: data[name]},
                    creating=creating,
                )
            except ValidationError as exc:
                self.add_error(name, exc.message_dict["custom_fields"])
        return data

    def custom_fields_data(self) -> dict:
        """`{"custom_fields": {...}}` for the record's service: a new record's values
        of every defined field; for an edit, the stored object with the fields the user
        changed (keys without a definition untouched), or {} when none changed."""
        names = self.custom_field_names
        if not names:
            return {}
        by_name = {field_name(d): d for d in self.custom_definitions}
        if self.instance.pk is None:
            values = {by_name[n].key: self.cleaned_data.get(n) for n in names}
            return {"custom_fields": {k: v for k, v in values.items() if v is not None}}
        changed = [n for n in names if n in self.changed_data and n in self.cleaned_data]
        # A field missing from the post (a script's, an older page's) is not a change;
        # an unticked checkbox is never posted, so a boolean's absence is "no".
        changed = [n for n in changed if n in self.data or self._is_boolean(n)]
        if not changed:
            return {}
        values = dict(self.stored_custom_fields() or {})
        values.update({by_name[n].key: self.cleaned_data[n] for n in changed})
        return {"custom_fields": values}

    def _is_boolean(self, name: str) -> bool:
        return isinstance(self.fields[name], CustomBooleanField)

    def stored_custom_fields(self) -> dict:
        """The record's `custom_fields` as stored now, its row locked until the save's
        transaction ends (the view saves inside one: web/edit_conflicts.py), so that
        two edits of different fields both land rather than the later one writing
        back the object it read before the other. One query."""
        instance = self.instance
        stored = (
            type(instance)
            .objects.for_account(self.account)
            .select_for_update()
            .filter(pk=instance.pk)
            .values_list("custom_fields", flat=True)
            .first()
        )
        return instance.custom_fields if stored is None else stored

    def record_data(self) -> dict:
        data = super().record_data()
        for name in self.custom_field_names:
            data.pop(name, None)
        data.update(self.custom_fields_data())
        return data
