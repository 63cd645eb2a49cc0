import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.api.fields import AccountScopedRelatedField, MemberField, context_account
from accounts.models import Account, Membership, Tag, User, tag_key
from accounts.tags import validate_tag_name
from accounts.uniqueness import validate_unique_in_account


class TagNameField(serializers.CharField):
    """One tag name: 1-50 printable characters, trimmed."""

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=50, **kwargs)
        self.validators.append(_drf_validator(validate_tag_name))


def _drf_validator(django_validator):
    from django.core.exceptions import ValidationError as DjangoValidationError

    def validate(value):
        try:
            django_validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    return validate


class AccountScopedModelSerializer(serializers.ModelSerializer):
    """Model serializer whose related fields only accept the request's account's ids."""

    serializer_related_field = AccountScopedRelatedField

    @property
    def account(self):
        return context_account(self.context)

    def unique_in_account(self, name: str, value):
        """`value` for the field `name`, checked against the model's unique constraints
        that lead with `account` (email, domain, ...): for a `validate_<name>` method,
        so the constraint's own message is the field's error. One query per
        constraint on that field."""
        model = self.Meta.model
        instance = model() if self.instance is None else copy.copy(self.instance)
        instance.account_id = self.account.pk
        setattr(instance, name, value)
        others = {field.name for field in model._meta.concrete_fields} - {name}
        try:
            validate_unique_in_account(instance, exclude=others)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict.get(name, exc.messages)) from exc
        return value

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if relation_info.related_model is User:
            field_class = MemberField
        return field_class, kwargs


class TaggedModelSerializer(AccountScopedModelSerializer):
    """For models with tags (`tags` written as names). It only validates: the record's
    services write the record and its tags and record the event (the viewsets'
    `perform_*` call them), so a save through the serializer is refused."""

    def create(self, validated_data):
        raise NotImplementedError("Create through the record's service, not the serializer.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Update through the record's service, not the serializer.")


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "currency", "phone_region", "time_zone"]
        read_only_fields = ["id"]


class MembershipAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="account.id")
    name = serializers.CharField(source="account.name")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MeSerializer(serializers.ModelSerializer):
    accounts = MembershipAccountSerializer(many=True, source="memberships")
    account = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "accounts", "account"]

    def get_account(self, user) -> int:
        return self.context["request"].account.pk


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    email = serializers.CharField(source="user.email")

    class Meta:
        model = Membership
        fields = ["id", "username", "first_name", "last_name", "email", "role"]


class TagNameSerializer(serializers.Serializer):
    name = TagNameField()


class TagSerializer(AccountScopedModelSerializer):
    name = TagNameField()
    color = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}\Z",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Enter a colour as #rrggbb."},
    )

    class Meta:
        model = Tag
        fields = ["id", "name", "color"]

    def validate_name(self, value):
        # Unique by its key (case and spacing folded): the constraint's message.
        self.unique_in_account("name_key", tag_key(value))
        return value
