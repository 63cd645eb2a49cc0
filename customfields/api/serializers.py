from rest_framework import serializers

from accounts.api.serializers import AccountScopedModelSerializer
from customfields.models import MAX_OPTION_LENGTH, MAX_OPTIONS, CustomFieldDefinition, key_validator

FIXED = ("key", "record_type")


class OptionField(serializers.CharField):
    """One option: a JSON string (DRF's CharField would take 3 for "3")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Options must be strings.")
        return super().to_internal_value(data)


class CustomFieldDefinitionSerializer(AccountScopedModelSerializer):
    """Validation only: the viewset writes through customfields.services, whose row
    rules (the model's `clean`) and uniqueness check answer a 400 by field too."""

    record_type = serializers.ChoiceField(choices=CustomFieldDefinition.RecordType.choices)
    key = serializers.CharField(
        max_length=40,
        validators=[key_validator],
        help_text="1-40 of a-z, 0-9 and _, starting with a letter; fixed once created.",
    )
    label = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Defaults to the key."
    )
    type = serializers.ChoiceField(choices=CustomFieldDefinition.Type.choices)
    options = serializers.ListField(
        child=OptionField(max_length=MAX_OPTION_LENGTH),
        max_length=MAX_OPTIONS,
        required=False,
        allow_null=True,
        help_text="1-100 distinct strings for a select; absent or empty otherwise.",
    )
    required = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = CustomFieldDefinition
        fields = ["id", "record_type", "key", "label", "type", "options", "required", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs):
        if self.instance is not None:
            changed = [n for n in FIXED if n in attrs and attrs[n] != getattr(self.instance, n)]
            if changed:
                raise serializers.ValidationError(
                    {name: ["Fixed once the custom field is created."] for name in changed}
                )
        return attrs

    def create(self, validated_data):
        raise NotImplementedError("Create through customfields.services.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Update through customfields.services.")
