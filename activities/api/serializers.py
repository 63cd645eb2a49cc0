from rest_framework import serializers

from accounts.api.fields import AccountDateTimeField
from accounts.api.serializers import AccountScopedModelSerializer
from activities.models import REMIND_BEFORE_MAX, Activity


class ActivitySerializer(AccountScopedModelSerializer):
    subject = serializers.CharField(min_length=1, max_length=200)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    due_at = AccountDateTimeField(
        required=False,
        allow_null=True,
        help_text="With an offset; a naive timestamp is read in the account's time zone.",
    )
    is_overdue = serializers.BooleanField(read_only=True)
    remind_before_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=REMIND_BEFORE_MAX,
        help_text=(
            "Remind the owner this many minutes before due_at (0-40320); null: no reminder. "
            "Left out of a create: the creating user's default reminder (their "
            "notification preferences)."
        ),
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "subject",
            "description",
            "status",
            "due_at",
            "completed_at",
            "contact",
            "company",
            "deal",
            "owner",
            "remind_before_minutes",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]
        extra_kwargs = {
            "type": {"required": False},
            "contact": {"required": False, "allow_null": True},
            "company": {"required": False, "allow_null": True},
            "deal": {"required": False, "allow_null": True},
            "owner": {"required": False, "allow_null": True},
        }

    def get_fields(self):
        fields = super().get_fields()
        fields["status"] = serializers.ChoiceField(
            choices=Activity.Status.choices,
            required=False,
            help_text="Read-only: changed by the start, complete, cancel and reopen actions.",
        )
        return fields

    def validate_status(self, value):
        current = self.instance.status if self.instance is not None else "pending"
        if value != current:
            raise serializers.ValidationError(
                "Status changes only through the start, complete, cancel and reopen actions."
            )
        return value

    def validate(self, attrs):
        attrs.pop("status", None)
        if self.instance is None:
            attrs.setdefault("owner", self.context["request"].user)
        return attrs
