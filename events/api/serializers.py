"""The API's shape of an event, and the query the feed accepts."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from events.models import RECORD_TYPES, Event, Source

# `contact.updated`, or `deal.*` for every deal event.
EVENT_TYPE_PATTERN = r"^[a-z]+\.([a-z_]+|\*)$"


class RecordRefSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RECORD_TYPES)
    id = serializers.IntegerField()


class EventSerializer(serializers.ModelSerializer):
    """`{"id", "type", "at", "actor", "source", "record": {"type", "id"}, "changes",
    "data"}`; reads only the event's own columns (no join)."""

    actor = serializers.IntegerField(
        source="actor_id", allow_null=True, help_text="The acting user's id; null for the system."
    )
    source = serializers.ChoiceField(choices=Source.choices)
    record = serializers.SerializerMethodField()
    changes = serializers.DictField(help_text="`{field: [before, after]}` of changed fields.")
    data = serializers.DictField(
        help_text="The record's full representation after the change (before it, for `*.deleted`)."
    )

    class Meta:
        model = Event
        fields = ["id", "type", "at", "actor", "source", "record", "changes", "data"]
        read_only_fields = fields

    def get_record(self, event) -> RecordRefSerializer:
        return {"type": event.record_type, "id": event.record_id}

    def to_representation(self, event):
        # The fields above describe the schema; building the dict directly is several
        # times faster than DictField walking every key of `data` (a feed page holds
        # 500 events). `changes` and `data` are stored JSON-ready.
        return {
            "id": event.pk,
            "type": event.type,
            "at": self.fields["at"].to_representation(event.at),
            "actor": event.actor_id,
            "source": event.source,
            "record": {"type": event.record_type, "id": event.record_id},
            "changes": event.changes,
            "data": event.data,
        }


class EventFeedQuerySerializer(serializers.Serializer):
    """`?after=&limit=&type=&record_type=&record_id=`: a bad value is a 400."""

    after = serializers.IntegerField(
        default=0,
        min_value=0,
        max_value=2**63 - 1,
        help_text="Return events with a larger id (the previous answer's `next_after`).",
    )
    limit = serializers.IntegerField(default=100, min_value=1, max_value=500)
    type = serializers.ListField(
        child=serializers.RegexField(EVENT_TYPE_PATTERN, max_length=40),
        required=False,
        max_length=20,
        help_text="Event type; may repeat. `deal.*` matches every deal event.",
    )
    record_type = serializers.ChoiceField(choices=RECORD_TYPES, required=False)
    record_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


# The feed is a list view to drf-spectacular, which would describe an array of these.
@extend_schema_serializer(many=False)
class EventFeedSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_after = serializers.IntegerField(
        help_text="The last id returned, or the given `after` when there was none."
    )
