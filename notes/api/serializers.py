from rest_framework import serializers

from accounts.api.fields import AccountDateTimeField
from accounts.api.serializers import AccountScopedModelSerializer
from notes.models import Note
from notes.sanitize import sanitize_body


class NoteSerializer(AccountScopedModelSerializer):
    body = serializers.CharField(
        min_length=1,
        max_length=10_000,
        trim_whitespace=False,
        help_text="Basic formatting HTML is kept (p br b strong i em u a ul ol li "
        "blockquote code pre); everything else is removed on save.",
    )
    occurred_at = AccountDateTimeField(required=False)
    direction = serializers.ChoiceField(
        choices=Note.Direction.choices, required=False, allow_null=True
    )

    class Meta:
        model = Note
        fields = [
            "id",
            "body",
            "kind",
            "direction",
            "occurred_at",
            "contact",
            "company",
            "deal",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "created_at", "updated_at"]
        extra_kwargs = {
            "kind": {"required": False},
            "contact": {"required": False, "allow_null": True},
            "company": {"required": False, "allow_null": True},
            "deal": {"required": False, "allow_null": True},
        }

    def validate_body(self, value):
        if not sanitize_body(value).strip():
            raise serializers.ValidationError("The note is empty once unsafe HTML is removed.")
        return value

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", Note.Kind.NOTE))
        direction = attrs.get("direction", getattr(self.instance, "direction", None))
        if kind == Note.Kind.NOTE and direction is not None:
            raise serializers.ValidationError(
                {"direction": ["Only emails, calls and SMS have a direction."]}
            )
        if self.instance is None:
            attrs["author"] = self.context["request"].user
        return attrs
