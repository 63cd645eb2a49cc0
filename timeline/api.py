"""`GET /contacts/{id}/timeline/`, `/companies/{id}/timeline/`, `/deals/{id}/timeline/`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from accounts.api.viewsets import AccountScopedGenericViewSet
from activities.api.serializers import ActivitySerializer
from companies.models import Company
from contacts.models import Contact
from deals.api.serializers import DealSerializer
from deals.models import Deal
from notes.api.serializers import NoteSerializer
from timeline.entries import ACTIVITY, DEAL, NOTE, load_entries, timeline_keys

SERIALIZERS = {NOTE: NoteSerializer, ACTIVITY: ActivitySerializer, DEAL: DealSerializer}
AT = serializers.DateTimeField()


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[NOTE, ACTIVITY, DEAL])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    data = serializers.DictField(help_text="The entry's full representation.")

    def to_representation(self, entry):
        record = entry.record
        return {
            "type": entry.type,
            "id": entry.id,
            "at": AT.to_representation(entry.at),
            "title": record.title if entry.type != ACTIVITY else record.subject,
            "data": self.record_serializer(entry.type).to_representation(record),
        }

    def record_serializer(self, kind):
        """One serializer per kind for the whole page: building a serializer's fields
        costs more than rendering a record with them."""
        cache = self.__dict__.setdefault("_record_serializers", {})
        if kind not in cache:
            cache[kind] = SERIALIZERS[kind](context=self.context)
        return cache[kind]


class TimelineViewSet(AccountScopedGenericViewSet):
    """Everything linked to a record, newest first, paginated like a list."""

    link_field = None  # the notes/activities/deals field that points at the record
    with_deals = True
    filter_backends = []
    serializer_class = TimelineEntrySerializer

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        record = self.get_object()
        keys = timeline_keys(
            account=request.account,
            field=self.link_field,
            record_id=record.pk,
            with_deals=self.with_deals,
        )
        page = self.paginate_queryset(keys)
        entries = load_entries(account=request.account, keys=page)
        data = TimelineEntrySerializer(
            entries, many=True, context=self.get_serializer_context()
        ).data
        return self.get_paginated_response(data)


class ContactTimelineViewSet(TimelineViewSet):
    model = Contact
    link_field = "contact_id"


class CompanyTimelineViewSet(TimelineViewSet):
    model = Company
    link_field = "company_id"


class DealTimelineViewSet(TimelineViewSet):
    model = Deal
    link_field = "deal_id"
    with_deals = False
