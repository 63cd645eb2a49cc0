"""`GET /api/v1/crm/{type}/{id}/history/`: one record's events, newest first, for the
viewsets of contacts, companies, deals, activities and notes."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from events.api.serializers import EventSerializer
from events.models import Event


class HistoryActionMixin:
    # No docstring: drf-spectacular would show it on every operation of the viewsets
    # that include this mixin. Adds `history/`, paginated like a list. The events are
    # read by (record type, id), never joined to the record, so a history stays
    # readable once the record is gone: only `history_of()` asks whether the request
    # may see the record, today through the viewset's scoped `get_object()` (404 for
    # another account's or a deleted record); trash/api/history.py widens it to the trash.

    def history_of(self, pk) -> tuple[str, int]:
        """The (record type, id) whose history this request may read, or 404."""
        record = self.get_object()
        return record._meta.model_name, record.pk

    @extend_schema(responses=EventSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        filter_backends=[],
        serializer_class=EventSerializer,
    )
    def history(self, request, pk=None):
        """That record's events, newest first (index `event_history`)."""
        record_type, record_id = self.history_of(pk)
        events = Event.objects.for_account(request.account).of_record(record_type, record_id)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
