"""Serializer fields whose choices come from the request's account."""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from accounts.models import User
from accounts.tags import normalise_tag_names, validate_tag_name
from accounts.tenancy import AccountOwned
from lib.calendar_range import MESSAGE as CALENDAR_RANGE_MESSAGE
from lib.calendar_range import validate_calendar_range
from lib.custom_fields import validate_custom_fields
from lib.ids import is_id_shaped, parse_id


def context_account(context):
    account = context.get("account")
    if account is None:
        request = context.get("request")
        account = getattr(request, "account", None)
    return account


class AccountScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key written as an id; another account's id is "does not exist".

    For bulk writes, `context["related_cache"][Model]` may hold `{pk: row}` loaded
    in one query beforehand, so validating many rows costs no query per row.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        account = context_account(self.context)
        if account is None:
            return queryset.none()
        if issubclass(queryset.model, AccountOwned):
            return queryset.for_account(account)
        if queryset.model is User:
            return queryset.members_of(account)
        raise TypeError(f"No account scope for {queryset.model.__name__}")

    def to_internal_value(self, data):
        # Ids are integers (or their ASCII digits as text); floats, booleans and numbers
        # beyond a bigint never reach the database, where they would overflow.
        if not is_id_shaped(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = parse_id(data)
        if pk is None:
            self.fail(
                "does_not_exist", pk_value=data if isinstance(data, int) else data.strip()[:20]
            )
        data = pk
        cache = self.context.get("related_cache", {}).get(self.queryset.model)
        if cache is None:
            return super().to_internal_value(data)
        try:
            return cache[data]
        except KeyError:
            self.fail("does_not_exist", pk_value=data)


class MemberField(AccountScopedRelatedField):
    """A user id that must be an active member of the request's account; the record's
    current value is accepted as it is (`User.objects.assignable_to`), so a record
    owned by a since deactivated member can be written back unchanged.

    With `context["related_cache"][User]` (bulk writes), the cached rows carry
    `assignable` (`User.objects.with_assignable`), so a refusal costs no query."""

    default_error_messages = {
        "does_not_exist": "User {pk_value} is not a member of this account.",
        "deactivated": ("User {pk_value} is deactivated in this account: assign an active member."),
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.all())
        super().__init__(**kwargs)

    def kept_id(self) -> int | None:
        """The user id the record being written has in this field now, if any."""
        instance = getattr(self.parent, "instance", None)
        if not isinstance(instance, models.Model) or instance.pk is None:
            return None
        return getattr(instance, f"{self.source}_id", None)

    def get_queryset(self):
        account = context_account(self.context)
        if account is None:
            return User.objects.none()
        return User.objects.assignable_to(account, keep=self.kept_id())

    def to_internal_value(self, data):
        user = super().to_internal_value(data)
        if not getattr(user, "assignable", True) and user.pk != self.kept_id():
            self.fail("deactivated", pk_value=user.pk)  # a cached row (bulk writes)
        return user

    def fail(self, key, **kwargs):
        # Not assignable: say so when it is a deactivated member (one query, on
        # refusal only; none for bulk writes, whose cache holds every member).
        account = context_account(self.context)
        pk = kwargs.get("pk_value")
        if (
            key == "does_not_exist"
            and account is not None
            and self.context.get("related_cache", {}).get(User) is None
            and isinstance(pk, int)
            and User.objects.members_of(account).filter(pk=pk).exists()
        ):
            key = "deactivated"
        super().fail(key, **kwargs)


class TagNamesField(serializers.Field):
    """Written as a list of tag names; read as `[{"id", "name"}]`."""

    default_error_messages = {
        "not_a_list": "Expected a list of tag names.",
        "invalid_name": "Each tag name must be printable text of 1-50 characters.",
        "too_many": "At most 100 tags.",
    }

    def get_attribute(self, instance):
        # `tag_list` when the queryset loaded it (TaggedQuerySet.with_tag_list).
        tag_list = getattr(instance, "tag_list", None)
        return tag_list if tag_list is not None else instance.tags.all()

    def to_representation(self, value):
        return [{"id": tag.pk, "name": tag.name} for tag in value]

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if len(data) > 100:
            self.fail("too_many")
        for name in data:
            try:
                validate_tag_name(name)
            except DjangoValidationError:
                self.fail("invalid_name")
        return normalise_tag_names(data)


class TagNamesFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TagNamesField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_array_type(build_basic_type(OpenApiTypes.STR))
        return build_array_type(
            build_object_type(
                properties={
                    "id": build_basic_type(OpenApiTypes.INT),
                    "name": build_basic_type(OpenApiTypes.STR),
                },
                required=["id", "name"],
            )
        )


class CustomFieldsField(serializers.JSONField):
    """A flat JSON object: string keys to string, number, boolean or null."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        try:
            validate_custom_fields(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return data


class CustomFieldsFieldSchema(OpenApiSerializerFieldExtension):
    target_class = CustomFieldsField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "boolean"},
                ],
                "nullable": True,
            },
        }


class AccountDateTimeField(serializers.DateTimeField):
    """A timestamp; one sent without an offset is read in the account's time zone.

    Answers are in UTC (`...Z`), like every other timestamp of the API. Only years
    2-9998 are accepted, so every time zone can show it (lib/calendar_range.py).
    """

    default_validators = [validate_calendar_range]

    def enforce_timezone(self, value):
        account = context_account(self.context)
        if timezone.is_naive(value) and account is not None:
            try:
                value = value.replace(tzinfo=account.zone).astimezone(datetime.UTC)
            except OverflowError:
                self.fail("overflow")
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")

    default_error_messages = {
        "overflow": CALENDAR_RANGE_MESSAGE,
    }
