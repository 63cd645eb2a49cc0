"""The phone field: any common notation in, E.164 out."""

from rest_framework import serializers

from accounts.api.fields import context_account
from contacts.phones import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, parse_phone


class PhoneField(serializers.CharField):
    """Parses a number in the account's default region and stores it as E.164."""

    default_error_messages = {"invalid_phone": INVALID_PHONE_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if not text:
            return ""
        account = context_account(self.context)
        region = account.phone_region if account is not None else None
        try:
            return parse_phone(text, region)
        except InvalidPhoneNumber:
            self.fail("invalid_phone")

    def to_representation(self, value):
        return str(value) if value else ""
