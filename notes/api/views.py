from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin
from events.api.history import HistoryActionMixin
from notes.api.filters import NoteFilter
from notes.api.serializers import NoteSerializer
from notes.models import Note


class NoteViewSet(HistoryActionMixin, SearchOrderingMixin, AccountScopedViewSet):
    """Notes and logged emails, calls and SMS; bodies are sanitised on save."""

    model = Note
    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    ordering_fields = ["occurred_at", "created_at"]
    ordering = ["-occurred_at", "-id"]
