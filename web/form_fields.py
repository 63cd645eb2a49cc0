"""Form fields of the staff UI, shared by every area.

Every form that writes a CRM row takes the request's `account` (web/account_forms.py):
its related fields choose only among that account's rows (another account's id is
"not one of the available choices", never a leak), phone numbers are read in the
account's region, and date-times typed without an offset are read in the account's
time zone.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tags import normalise_tag_names, validate_tag_name
from contacts.phones import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, parse_phone
from lib.calendar_range import MESSAGE as CALENDAR_RANGE_MESSAGE
from lib.calendar_range import validate_calendar_range
from lib.ids import parse_id
from web.formatting import local_time

MAX_TAGS = 100


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the account, shown by name; the record's own owner, deactivated
    since, marked so (`User.objects.assignable_to` offers no other)."""

    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.get_username()
        return name if getattr(obj, "assignable", True) else f"{name} (deactivated)"


class PickerSelect(forms.Select):
    """The `<select>` of a contact, company, deal or owner, which web/static/web/picker.js
    turns into a search-as-you-type combobox (web/pickers/): the form still posts the id.

    Only the empty choice and the chosen one are rendered, so an account's million
    contacts never reach the page: one query for the chosen row (none without one),
    as the admin's autocomplete widget does. Without JavaScript the field keeps its
    value, or can be emptied. `kind` names the picker's URLs ("contacts": search at
    `web:picker-contacts`, and inline creation at `web:picker-contacts-new` when
    `creates`)."""

    NOUNS = {"contacts": "contact", "companies": "company", "deals": "deal", "owners": "person"}

    def __init__(self, *, kind: str, creates: bool = False, attrs=None):
        super().__init__(attrs)
        self.kind, self.creates = kind, creates

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        picker = {
            "data-picker": reverse(f"web:picker-{self.kind}"),
            "data-picker-noun": self.NOUNS[self.kind],
        }
        if self.creates:
            picker["data-picker-create"] = reverse(f"web:picker-{self.kind}-new")
        context["widget"]["attrs"] = {**picker, **context["widget"]["attrs"]}
        return context

    def optgroups(self, name, value, attrs=None):
        field = self.choices.field
        ids = {parse_id(str(v)) for v in value if v not in (None, "")} - {None}
        choices = [] if field.empty_label is None else [("", field.empty_label)]
        if ids:  # one query, among the field's (the account's) rows
            choices += [self.choices.choice(row) for row in field.queryset.filter(pk__in=ids)]
        selected = {str(v) for v in value}
        return [
            (None, [self.create_option(name, key, label, str(key) in selected, index)], index)
            for index, (key, label) in enumerate(choices)
        ]


class PhoneField(forms.CharField):
    """Any common notation in, E.164 out, read in the account's region: the same
    parser as the API's `contacts.api.fields.PhoneField` (`contacts.phones.parse_phone`)."""

    default_error_messages = {"invalid_phone": INVALID_PHONE_MESSAGE}

    def __init__(self, *, region=None, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)
        self.region = region

    def prepare_value(self, value):
        # A stored PhoneNumber shows in the international format people read.
        if hasattr(value, "as_international") and getattr(value, "is_valid", lambda: False)():
            return value.as_international
        return value

    def clean(self, value):
        try:
            return parse_phone(super().clean(value), self.region)
        except InvalidPhoneNumber:
            raise ValidationError(
                self.error_messages["invalid_phone"], code="invalid_phone"
            ) from None


class TagNamesField(forms.CharField):
    """Tag names typed as "vip, partner"; cleaned to a de-duplicated list."""

    default_error_messages = {
        "invalid_name": "Each tag is 1-50 characters of printable text.",
        "too_many": f"At most {MAX_TAGS} tags.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 6000)
        kwargs.setdefault("help_text", "Separate tags with commas.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(name) for name in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        names = [name for name in text.split(",") if name.strip()]
        for name in names:
            try:
                validate_tag_name(name)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_name"], code="invalid_name"
                ) from None
        names = normalise_tag_names(names)
        if len(names) > MAX_TAGS:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        return names


class AccountDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in the account's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_validators = [validate_calendar_range]

    def __init__(self, *, zone=None, **kwargs):
        super().__init__(**kwargs)
        self.zone = zone or datetime.UTC

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return local_time(value, self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value):
        # Parse as naive text first, then attach the account's zone (not the server's).
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            result = value
        else:
            result = forms.DateTimeField.to_python(self, str(value).strip().replace("T", " "))
            result = result.replace(tzinfo=None) if result else result
        if result is None:
            return None
        if result.tzinfo is None:
            try:
                result = result.replace(tzinfo=self.zone).astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(CALENDAR_RANGE_MESSAGE, code="calendar_range") from None
        return result
