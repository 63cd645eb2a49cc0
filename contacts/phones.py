"""Phone numbers read from the database without parsing them row by row.

django-phonenumber-field parses every stored number as a row loads (~60 µs) and
validates it again on every str(), len() or truthiness test (~100 µs): 3 ms of a
20-row API page, and minutes of a million-row CSV export. The stored text is already
what str() would give (E.164 for a valid number, which is how the field saves it; the
raw text of an invalid one), so a number read from the database keeps that text and
is parsed only when something asks for its parts (formatting, validity, comparison).

What people type is read by `parse_phone`, the one parser of typed numbers: the API's
field, the web form's field and the CSV import all call it, so a number one of them
accepts the others accept too, stored the same way.
"""

from __future__ import annotations

import phonenumbers
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber, to_python

INVALID_PHONE_MESSAGE = "Enter a valid phone number."


class InvalidPhoneNumber(ValueError):
    """The text is not a valid phone number (in that region, when it has no country code)."""


def parse_phone(text: str, region: str | None) -> str:
    """A typed phone number in E.164 (`+14155552671`), or "" for blank text.

    Any common notation is accepted; a number without a country code is read in
    `region` (the account's `phone_region`, ISO 3166 alpha-2; None: only numbers with
    a country code). InvalidPhoneNumber when it is not a valid number.
    """
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(INVALID_PHONE_MESSAGE) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(INVALID_PHONE_MESSAGE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What phonenumbers.PhoneNumber.__init__ sets; reading any of them parses the text.
_PARTS = (
    "country_code",
    "national_number",
    "extension",
    "italian_leading_zero",
    "number_of_leading_zeros",
    "raw_input",
    "country_code_source",
    "preferred_domestic_carrier_code",
)


class StoredPhoneNumber(PhoneNumber):
    def __init__(self, *args, stored: str | None = None, **kwargs):
        if stored is None:  # made by the library itself (e.g. in __eq__): eager
            super().__init__(*args, **kwargs)
        else:
            self.__dict__["_stored"] = stored

    def __getattr__(self, name):
        # Only reached while the parts are not set yet, i.e. before the first parse.
        stored = self.__dict__.get("_stored")
        if name not in _PARTS or stored is None:
            raise AttributeError(name)
        parsed = to_python(stored)
        for part in _PARTS:
            self.__dict__.setdefault(part, getattr(parsed, part))
        return self.__dict__[name]

    def _unparsed(self) -> str | None:
        return self.__dict__.get("_stored") if "country_code" not in self.__dict__ else None

    def __str__(self):
        text = self._unparsed()
        return text if text is not None else super().__str__()

    def __len__(self):
        return len(str(self))

    def __hash__(self):
        return hash(str(self))

    __eq__ = PhoneNumber.__eq__


class StoredPhoneNumberField(PhoneNumberField):
    """PhoneNumberField whose loaded values parse lazily (see the module docstring)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return StoredPhoneNumber(stored=value)
