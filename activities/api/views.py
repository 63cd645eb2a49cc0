from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.viewsets import AccountScopedViewSet
from activities.api.filters import ActivityFilter
from activities.api.serializers import ActivitySerializer
from activities.models import Activity
from events.api.history import HistoryActionMixin


class ActivityViewSet(HistoryActionMixin, AccountScopedViewSet):
    """Calls, meetings and tasks. Status changes only through start/complete/cancel."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["due_at", "created_at", "completed_at"]
    ordering = ["due_at", "id"]
    nulls_last_fields = ("due_at", "completed_at")

    def _transition(self, method_name):
        activity = self.get_object()
        getattr(activity, method_name)()
        return Response(self.get_serializer(activity).data)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """pending → in_progress."""
        return self._transition("start")

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """pending or in_progress → completed; sets completed_at."""
        return self._transition("complete")

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """pending or in_progress → cancelled."""
        return self._transition("cancel")
