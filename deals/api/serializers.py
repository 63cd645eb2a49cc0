from rest_framework import serializers

from accounts.api.serializers import AccountScopedModelSerializer
from accounts.models import CURRENCY_CODES
from deals.models import MAX_VALUE_CENTS, Deal, Pipeline, Stage
from deals.services import pipeline_create, pipeline_update


def _printable(value: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise serializers.ValidationError("Must not contain control characters.")
    return value


class StageSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="An existing stage to keep; omit for a new one.",
    )
    name = serializers.CharField(min_length=1, max_length=100, validators=[_printable])
    probability = serializers.IntegerField(min_value=0, max_value=100)

    class Meta:
        model = Stage
        fields = ["id", "name", "probability"]


class PipelineSerializer(AccountScopedModelSerializer):
    name = serializers.CharField(min_length=1, max_length=100, validators=[_printable])
    stages = StageSerializer(many=True, allow_empty=False, max_length=50)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "stages", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_name(self, value):
        return self.unique_in_account("name", value)

    def validate_stages(self, stages):
        # A PATCH is partial, and DRF makes nested items partial too: the list replaces
        # the stages, so every item still needs both fields.
        if any("name" not in s or "probability" not in s for s in stages):
            raise serializers.ValidationError("Each stage needs a name and a probability.")
        names = [s["name"].casefold() for s in stages]
        if len(names) != len(set(names)):
            raise serializers.ValidationError("Stage names must be unique within a pipeline.")
        ids = [s["id"] for s in stages if s.get("id") is not None]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A stage id appears twice.")
        own = set()
        if self.instance is not None and ids:
            own = set(
                Stage.objects.for_account(self.account)
                .filter(pipeline=self.instance, pk__in=ids)
                .values_list("pk", flat=True)
            )
        strangers = sorted(set(ids) - own)
        if strangers:
            raise serializers.ValidationError(
                f"Stage {strangers[0]} is not a stage of this pipeline."
            )
        return stages

    def create(self, validated_data):
        return pipeline_create(
            account=self.account, name=validated_data["name"], stages=validated_data["stages"]
        )

    def update(self, instance, validated_data):
        return pipeline_update(pipeline=instance, data=validated_data)


class DealSerializer(AccountScopedModelSerializer):
    title = serializers.CharField(min_length=1, max_length=200)
    value_cents = serializers.IntegerField(min_value=0, max_value=MAX_VALUE_CENTS, required=False)
    currency = serializers.CharField(
        required=False, help_text="ISO 4217; defaults to the account's currency."
    )
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    effective_probability = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "pipeline",
            "stage",
            "value_cents",
            "currency",
            "probability",
            "effective_probability",
            "status",
            "closed_at",
            "lost_reason",
            "expected_close_date",
            "contact",
            "company",
            "owner",
            "stage_entered_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "closed_at",
            "lost_reason",
            "stage_entered_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "stage": {"required": False},
            "contact": {"required": False, "allow_null": True},
            "company": {"required": False, "allow_null": True},
            "owner": {"required": False, "allow_null": True},
        }

    # Validation only: the viewset writes through deals.services (deal_create,
    # deal_update), which checks the state machine's rules on the locked row.

    def get_effective_probability(self, deal) -> int:
        return deal.effective_probability

    def validate_currency(self, value):
        code = value.strip().upper()
        if code not in CURRENCY_CODES:
            raise serializers.ValidationError(f"“{value}” is not an ISO 4217 currency code.")
        return code

    def validate(self, attrs):
        if self.instance is None or {"pipeline", "stage"} & set(attrs):
            pipeline = attrs.get("pipeline") or self.instance.pipeline
            deal = self.instance or Deal(account=self.account)
            # The model's rule; its Django ValidationError is a 400 on the field.
            attrs["stage"] = deal.stage_in_pipeline(pipeline, attrs.get("stage"))
        if self.instance is None:
            attrs.setdefault("currency", self.account.currency)
            attrs.setdefault("owner", self.context["request"].user)
        return attrs


class MoveSerializer(serializers.Serializer):
    stage = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )


class LoseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ForecastTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    open_count = serializers.IntegerField()
    open_value_cents = serializers.IntegerField()
    weighted_value_cents = serializers.IntegerField()
    won_count = serializers.IntegerField()
    won_value_cents = serializers.IntegerField()
    lost_count = serializers.IntegerField()
    lost_value_cents = serializers.IntegerField()
    abandoned_count = serializers.IntegerField()
    abandoned_value_cents = serializers.IntegerField()


class ForecastStageSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    pipeline = serializers.IntegerField()
    currency = serializers.CharField()
    open_count = serializers.IntegerField()
    open_value_cents = serializers.IntegerField()
    weighted_value_cents = serializers.IntegerField()


class ForecastSerializer(serializers.Serializer):
    totals = ForecastTotalSerializer(many=True)
    stages = ForecastStageSerializer(many=True)
