"""The rules one row of an import follows: the Contact model's own fields.

The form fields come from the model (`formfield()`: its max lengths, its required
first name, its email validator) and the phone is read by the one parser of typed
numbers (`contacts.phones.parse_phone`) in the account's region, as the API, the web
app and the admin read it; none of it goes through the API's serializers. The fields are
built once an import rather than once a row (a form a row costs a deep copy of its
fields each time), and nothing here queries the database: the company and the owner
arrive already found (`lookups.Directory`).

Columns mapped to a contact custom field (`cf_<key>`) are read by the API's
`coerce_custom_value` for the field's type and gathered into `custom_fields`; the
definitions are loaded once, when the validator is built (one query).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.tags import normalise_tag_names, validate_tag_name
from companies.models import Company
from contacts.models import Contact
from contacts.phones import InvalidPhoneNumber, parse_phone
from customfields.values import coerce_custom_value, definitions_for, validate_custom_values

CUSTOM_PREFIX = "cf_"  # contacts.imports.mapping

MAX_TAGS = 100
# In the order the API and the forms list them, so a row's messages read the same way.
TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "title")
MAX_PHONE_TEXT = 40  # what the API's phone field accepts before parsing


class RowValidator:
    """`validator(row)`: one row's field values as `contact_bulk_import` writes them.

    `row` maps field names to the non-empty cells of the row (a company and an owner as
    rows of this account, tags as a list of names); raises `ValueError({field:
    [messages]})` when a value breaks a rule. Only the fields in `row` come back, so an
    update never blanks a field whose cell was empty.
    """

    def __init__(self, account):
        self.account = account
        model_field = Contact._meta.get_field
        self.fields = {name: model_field(name).formfield() for name in TEXT_FIELDS}
        self.fields["phone"] = forms.CharField(max_length=MAX_PHONE_TEXT, required=False)
        self.region = account.phone_region or None
        self.definitions = definitions_for(account, "contact")
        self.custom = {f"{CUSTOM_PREFIX}{d.key}": d for d in self.definitions}

    def __call__(self, row: dict, related_cache=None) -> dict:
        # `related_cache` is `contact_bulk_import`'s: rows name their company and owner
        # as objects already, so there is nothing to look up in it.
        values, errors = {}, {}
        if "first_name" not in row:
            errors["first_name"] = [self.fields["first_name"].error_messages["required"]]
        for name in TEXT_FIELDS:
            if name not in row:
                continue
            try:
                value = self.fields[name].clean(row[name])
                if name == "phone":
                    value = parse_phone(value, self.region)
            except (ValidationError, InvalidPhoneNumber) as exc:
                errors[name] = getattr(exc, "messages", None) or [str(exc)]
                continue
            values[name] = value.lower() if name == "email" else value
        for name, model in (("company", Company), ("owner", User)):
            if name in row:
                found = self._related(row[name], model)
                if found is None:
                    errors[name] = [f"Not a {name} of this account."]
                else:
                    values[name] = found
        if "tags" in row:
            try:
                values["tags"] = self._tags(row["tags"])
            except ValidationError as exc:
                errors["tags"] = exc.messages
        custom, custom_errors = self._custom_fields(row)
        if custom:
            values["custom_fields"] = custom
        if custom_errors:
            errors["custom_fields"] = custom_errors
        if errors:
            raise ValueError(errors)
        return values

    def _custom_fields(self, row: dict) -> tuple[dict, list[str]]:
        """The row's custom field cells as typed values, by key, and the messages of
        those that do not read as their type. Only non-empty cells: an update keeps
        the values of the others."""
        values, errors = {}, []
        for name, text in row.items():
            if not name.startswith(CUSTOM_PREFIX):
                continue
            definition = self.custom.get(name)
            if definition is None:
                errors.append(f"No custom field “{name[len(CUSTOM_PREFIX) :]}” is defined.")
                continue
            try:
                values[definition.key] = coerce_custom_value(definition, text)
            except ValidationError as exc:
                errors += exc.message_dict["custom_fields"]
        return values, errors

    def creation_problems(self, values: dict) -> list[str]:
        """Why a row that creates a contact may not (a required custom field without a
        value), as messages; no query."""
        try:
            validate_custom_values(
                definitions=self.definitions,
                values=values.get("custom_fields") or {},
                creating=True,
            )
        except ValidationError as exc:
            return exc.message_dict["custom_fields"]
        return []

    def _related(self, value, model):
        """`value` when it is a row of this account (a member, for a user), else None."""
        if not isinstance(value, model):
            return None
        if model is Company and value.account_id != self.account.pk:
            return None
        return value

    @staticmethod
    def _tags(names: list[str]) -> list[str]:
        if len(names) > MAX_TAGS:
            raise ValidationError(f"At most {MAX_TAGS} tags.")
        for name in names:
            validate_tag_name(name)
        return normalise_tag_names(names)
