from rest_framework import serializers

from accounts.api.fields import CustomFieldsField, TagNamesField
from accounts.api.serializers import TaggedModelSerializer
from contacts.api.fields import PhoneField
from contacts.models import Contact, normalise_email


class ContactSerializer(TaggedModelSerializer):
    first_name = serializers.CharField(min_length=1, max_length=100)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )
    phone = PhoneField(required=False, allow_blank=True, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    custom_fields = CustomFieldsField(required=False)
    tags = TagNamesField(required=False)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "company",
            "owner",
            "custom_fields",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "owner": {"required": False, "allow_null": True},
            "company": {"required": False, "allow_null": True},
        }

    def validate_email(self, value):
        email = normalise_email(value)
        # A bulk import plans duplicates itself (skip, update or error, row by row).
        if email and not self.context.get("bulk"):
            self.unique_in_account("email", email)
        return email

    def validate_phone(self, value):
        return value or ""


class RowField(serializers.Field):
    """One row of a bulk import, as sent: each row is validated later, by index."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        return data

    def validate_empty_values(self, data):
        return (False, data)


class BulkImportSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=RowField(),
        min_length=1,
        max_length=1000,
        help_text="1 to 1,000 contacts, each shaped like a create.",
    )
    on_duplicate = serializers.ChoiceField(
        choices=["error", "skip", "update"], default="error", required=False
    )


class BulkImportRowsSchema(serializers.Serializer):
    """Only for the OpenAPI description of the bulk import request."""

    contacts = ContactSerializer(many=True)
    on_duplicate = serializers.ChoiceField(choices=["error", "skip", "update"], required=False)


class BulkImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())
