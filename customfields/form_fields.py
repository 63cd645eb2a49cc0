"""One custom field definition as a typed Django form field, for every face with forms:
the web app's record forms (web/custom_field_forms.py) and the admin's
(customfields/admin_forms.py). Values are read by `customfields.values.coerce_custom_value`,
as the CSV import reads them, with the API's messages, so a value the API refuses is a
form error on every face too. What differs between faces, the widgets and the help
text, are parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from customfields.models import CustomFieldDefinition
from customfields.values import MAX_TEXT_LENGTH, coerce_custom_value

Type = CustomFieldDefinition.Type


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


def default_widget(kind: str) -> forms.Widget:
    """The widget a definition's type gets unless the face names its own."""
    if kind == Type.NUMBER:
        return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    if kind == Type.DATE:
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.TextInput(attrs={"maxlength": MAX_TEXT_LENGTH})


def custom_form_field(
    definition: CustomFieldDefinition,
    *,
    creating: bool,
    stored=None,
    widgets: Mapping[str, forms.Widget] | None = None,
    help_text: str = "",
) -> forms.Field:
    """The form field for one definition (`stored`: the record's value, if any, which a
    select keeps offering when it is no longer an option). Required on a new record's
    form only, as the rule is for every face (the API, the admin): an edit may leave a
    value out that the record never had.

    `widgets` maps a type to the face's own widget. A boolean is a checkbox (ticked is
    true, else false) unless a widget is named for it, which may also say "unknown"
    (the admin's yes/no/unknown select): its value is then read like any other."""
    widgets = widgets or {}
    common = {
        "label": definition.label or definition.key,
        "required": creating and definition.required,
        "help_text": help_text,
    }
    kind = definition.type
    if kind == Type.BOOLEAN and kind not in widgets:
        return CustomBooleanField(
            definition=definition, label=common["label"], help_text=help_text, required=False
        )
    if kind == Type.SELECT:
        if kind in widgets:
            common["widget"] = widgets[kind]
        return CustomChoiceField(definition=definition, stored=stored, **common)
    widget = widgets.get(kind) or default_widget(kind)
    return CustomValueField(definition=definition, widget=widget, **common)
