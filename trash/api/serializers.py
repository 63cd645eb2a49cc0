"""The API's shape of a trashed record (contract, "Trash and restore")."""

from rest_framework import serializers

from events.models import RECORD_TYPES
from trash.models import TrashedRecord


class TrashEntrySerializer(serializers.ModelSerializer):
    """`{"type", "id", "title", "deleted_at", "deleted_by", "purge_at"}`: the record's
    type and id, not the trash row's."""

    type = serializers.ChoiceField(source="record_type", choices=RECORD_TYPES)
    id = serializers.IntegerField(source="record_id")
    deleted_by = serializers.IntegerField(
        source="deleted_by_id", allow_null=True, help_text="Who deleted it (a user id)."
    )
    purge_at = serializers.DateTimeField(help_text="When it leaves the trash for good.")

    class Meta:
        model = TrashedRecord
        fields = ["type", "id", "title", "deleted_at", "deleted_by", "purge_at"]
        read_only_fields = fields


class TrashQuerySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RECORD_TYPES, required=False)
