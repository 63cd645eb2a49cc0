from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.models import Notification


class NotificationRecordSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()


class NotificationSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    actor = serializers.IntegerField(
        source="actor_id", read_only=True, allow_null=True, help_text="user id; null: system"
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "record", "title", "actor", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(NotificationRecordSerializer)
    def get_record(self, notification) -> dict:
        return {"type": notification.record_type, "id": notification.record_id}


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
