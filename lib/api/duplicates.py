"""The API's duplicate routes of contacts and companies (contract, "Duplicates and
merge"), for a record viewset that implements two hooks:

- `GET {type}/{id}/duplicates/`: `[{"id", "score", "reasons"}]`, best first;
- `GET {type}/duplicates/`: the account's pairs `{"ids": [a, b], "score", "reasons"}`,
  best first, paginated like every list;
- `POST {type}/` answers the likely duplicates of the record it created in the header
  `Relay-Likely-Duplicates: 12, 40` (ids, best first; absent when there are none), so
  the body stays the record's representation.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

HEADER = "Relay-Likely-Duplicates"


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField(min_value=1, max_value=100)
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicatePairSerializer(serializers.Serializer):
    ids = serializers.SerializerMethodField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())

    def get_ids(self, pair) -> list[int]:
        return [pair.low_id, pair.high_id]


class DuplicatesActionsMixin:
    # No docstring: drf-spectacular would show it on every operation of the viewsets.

    def duplicates_of(self, record) -> list:
        """Hook: the record's likely duplicates (lib.duplicate_matches.Match), best first."""
        raise NotImplementedError

    def duplicate_pairs(self):
        """Hook: the account's stored pairs, best first."""
        raise NotImplementedError

    @extend_schema(responses=DuplicateSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path="duplicates",
        filter_backends=[],
        pagination_class=None,
        serializer_class=DuplicateSerializer,
    )
    def duplicates(self, request, pk=None):
        """This record's likely duplicates in the account, best first (at most 20)."""
        record = self.get_object()
        return Response(DuplicateSerializer(self.duplicates_of(record), many=True).data)

    @extend_schema(
        responses=DuplicatePairSerializer(many=True),
        filters=False,
        description="The account's likely duplicate pairs as the last scan found them, best first.",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="duplicates",
        url_name="duplicate-pairs",
        filter_backends=[],
        serializer_class=DuplicatePairSerializer,
    )
    def duplicate_pair_list(self, request):
        page = self.paginate_queryset(self.duplicate_pairs())
        return self.get_paginated_response(DuplicatePairSerializer(page, many=True).data)

    created_record = None  # the viewset's perform_create sets it

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if response.status_code == 201 and self.created_record is not None:
            found = self.duplicates_of(self.created_record)
            if found:
                response[HEADER] = ", ".join(str(match.id) for match in found)
        return response
