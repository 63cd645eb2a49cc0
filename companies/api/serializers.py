from rest_framework import serializers

from accounts.api.fields import CustomFieldsField, TagNamesField
from accounts.api.serializers import TaggedModelSerializer
from companies.domains import InvalidDomain, normalise_domain
from companies.models import Company


class CompanySerializer(TaggedModelSerializer):
    name = serializers.CharField(min_length=1, max_length=200)
    domain = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Stored normalised: `https://WWW.Acme.com/x` → `acme.com`.",
    )
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=Company.Size.choices, required=False, allow_blank=True)
    custom_fields = CustomFieldsField(required=False)
    tags = TagNamesField(required=False)
    contact_count = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "domain",
            "industry",
            "size",
            "parent",
            "owner",
            "custom_fields",
            "tags",
            "contact_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "owner": {"required": False, "allow_null": True},
            "parent": {"required": False, "allow_null": True},
        }

    def get_contact_count(self, company) -> int:
        count = getattr(company, "contact_count", None)
        if count is None:  # a single saved company: one query
            count = company.contacts.count()
        return count

    def validate_domain(self, value):
        try:
            domain = normalise_domain(value or "")
        except InvalidDomain as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if len(domain) > 253:
            raise serializers.ValidationError("A domain has at most 253 characters.")
        return self.unique_in_account("domain", domain) if domain else domain

    def validate_parent(self, parent):
        instance = self.instance
        if (
            parent is not None
            and instance is not None
            and instance.would_be_own_ancestor(parent.pk)
        ):
            raise serializers.ValidationError("A company cannot be its own ancestor.")
        return parent
