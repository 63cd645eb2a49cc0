from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.viewsets import AccountScopedViewSet
from activities.api.serializers import ActivitySerializer
from activities.filters import ActivityFilter
from activities.models import Activity
from activities.new_activity_defaults import new_activity_defaults
from activities.services import (
    activity_cancel,
    activity_complete,
    activity_create,
    activity_delete,
    activity_reopen,
    activity_start,
    activity_update,
)
from events.models import Source
from trash.api.history import RecordHistoryMixin


class ActivityViewSet(RecordHistoryMixin, AccountScopedViewSet):
    """Calls, meetings and tasks. Status changes only through start/complete/cancel/
    reopen."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["due_at", "created_at", "completed_at"]
    ordering = ["due_at", "id"]
    nulls_last_fields = ("due_at", "completed_at")

    def perform_create(self, serializer):
        # A field left out takes the creator's default (their default reminder); one
        # sent, null included ("no reminder"), is kept.
        defaults = new_activity_defaults(user=self.request.user)
        serializer.instance = activity_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.API,
            data={**defaults, **serializer.validated_data},
        )

    def perform_update(self, serializer):
        # The answer shows the stored row, concurrent changes to other fields included.
        serializer.instance = activity_update(
            activity=serializer.instance,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        activity_delete(activity=instance, by=self.request.user, source=Source.API)

    def _transition(self, service):
        activity = service(activity=self.get_object(), by=self.request.user, source=Source.API)
        return Response(self.get_serializer(activity).data)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """pending → in_progress."""
        return self._transition(activity_start)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """pending or in_progress → completed; sets completed_at."""
        return self._transition(activity_complete)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """pending or in_progress → cancelled."""
        return self._transition(activity_cancel)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """completed or cancelled → pending; clears completed_at."""
        return self._transition(activity_reopen)
