"""`GET /api/v1/crm/events/`: the account's event log, read forward from a cursor.

Why a poller sees every event exactly once, in id order: writers of one account take
turns from their event insert to their commit (`events.services`), so an id becomes
visible only after every smaller id of the account has committed or rolled back.
Reading `id > after` in id order, a page can therefore never skip an id that commits
later. One query per page, on the index `event_feed` (account, id).
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from accounts.api.viewsets import AccountScopedGenericViewSet
from events.api.serializers import (
    EventFeedQuerySerializer,
    EventFeedSerializer,
    EventSerializer,
)
from events.models import Event


def matching_types(types: list[str]) -> Q:
    """`deal.*` matches every deal event (by its record type); others match exactly."""
    condition = Q()
    for event_type in types:
        record_type, _dot, action = event_type.partition(".")
        condition |= Q(record_type=record_type) if action == "*" else Q(type=event_type)
    return condition


class EventFeedViewSet(mixins.ListModelMixin, AccountScopedGenericViewSet):
    """The request's account's events with `id > after`, oldest first."""

    model = Event
    serializer_class = EventSerializer
    pagination_class = None  # a cursor (`after`/`next_after`), not pages
    filter_backends = []  # the query is validated by EventFeedQuerySerializer

    @extend_schema(parameters=[EventFeedQuerySerializer], responses={200: EventFeedSerializer})
    def list(self, request, *args, **kwargs):
        """Events after the cursor, ascending; poll again with `next_after`."""
        query = EventFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        events = self.get_queryset().after(params["after"])
        if params.get("type"):
            events = events.filter(matching_types(params["type"]))
        if "record_type" in params:
            events = events.filter(record_type=params["record_type"])
        if "record_id" in params:
            events = events.filter(record_id=params["record_id"])
        page = list(events[: params["limit"]])
        return Response(
            {
                "results": self.get_serializer(page, many=True).data,
                "next_after": page[-1].pk if page else params["after"],
            }
        )
