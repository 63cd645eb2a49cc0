"""`GET /api/v1/crm/trash/` and `POST /api/v1/crm/trash/{type}/{id}/restore/`."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.viewsets import AccountScopedGenericViewSet
from events.kinds import kind_of_plural
from events.models import Source
from lib.versions import etag_of
from trash.api.serializers import TrashEntrySerializer, TrashQuerySerializer
from trash.models import TrashedRecord
from trash.services import NotInTrash, record_restore


class TrashViewSet(mixins.ListModelMixin, AccountScopedGenericViewSet):
    """The account's trash: what was deleted in the last 30 days, newest first."""

    model = TrashedRecord
    serializer_class = TrashEntrySerializer
    filter_backends = []  # `type` is validated by TrashQuerySerializer

    def scope_queryset(self, queryset):
        # Only the listed columns: `row` and `links` can be large.
        queryset = queryset.newest_first().only(
            "account_id", "record_type", "record_id", "title", "deleted_at", "deleted_by_id"
        )
        if self.action == "list":
            query = TrashQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("type"):
                queryset = queryset.of_type(query.validated_data["type"])
        return queryset

    @extend_schema(parameters=[TrashQuerySerializer])
    def list(self, request, *args, **kwargs):
        """Trashed records, newest first; filter `type` (singular)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses={200: dict},
        parameters=[
            OpenApiParameter("record_type", str, OpenApiParameter.PATH, description="plural"),
            OpenApiParameter("record_id", int, OpenApiParameter.PATH),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"(?P<record_type>[a-z]+)/(?P<record_id>[0-9]+)/restore",
    )
    def restore(self, request, record_type=None, record_id=None):
        """Bring the record back (same id, fields and tags) and re-link what pointed
        at it; 404 when not in the trash, 409 when its email or domain is taken."""
        kind = kind_of_plural(record_type)
        if kind is None:
            raise Http404
        try:
            record = record_restore(
                account=request.account,
                record_type=kind.record_type,
                record_id=int(record_id),
                by=request.user,
                source=Source.API,
            )
        except NotInTrash as exc:
            raise Http404 from exc
        response = Response(kind.representations([record])[0])
        response["ETag"] = etag_of(record)
        return response
