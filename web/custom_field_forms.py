"""The account's custom fields on the contact, company and deal forms: one typed form
field per definition (text, number, yes/no checkbox, date, select), named
`cf_<key>`, whose values the form writes into the record's `custom_fields`.

The fields are built by `customfields.form_fields.custom_form_field`, as the admin's
are; values are read by `customfields.values.coerce_custom_value` and checked by
`validate_custom_values`, the functions the API and the CSV import use, so a value
the API refuses is a form error here too. Keys without a definition are never shown
and never written: an edit merges the fields the user changed into the record's
stored object.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from customfields.form_fields import CustomBooleanField, custom_form_field
from customfields.models import CustomFieldDefinition
from customfields.values import definitions_for, validate_custom_values, value_error

PREFIX = "cf_"


def field_name(definition: CustomFieldDefinition) -> str:
    return f"{PREFIX}{definition.key}"


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
