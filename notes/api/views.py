from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin
from events.models import Source
from notes.api.serializers import NoteSerializer
from notes.filters import NoteFilter
from notes.models import Note
from notes.services import note_create, note_delete, note_update
from trash.api.history import RecordHistoryMixin


class NoteViewSet(RecordHistoryMixin, SearchOrderingMixin, AccountScopedViewSet):
    """Notes and logged emails, calls and SMS; bodies are sanitised on save."""

    model = Note
    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    ordering_fields = ["occurred_at", "created_at"]
    ordering = ["-occurred_at", "-id"]

    def perform_create(self, serializer):
        serializer.instance = note_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = note_update(
            note=serializer.instance,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        note_delete(note=instance, by=self.request.user, source=Source.API)
