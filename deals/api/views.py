from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin
from customfields.api.filters import CustomFieldFilter
from deals.api.serializers import (
    DealSerializer,
    ForecastSerializer,
    LoseSerializer,
    MoveSerializer,
    PipelineSerializer,
)
from deals.filters import DealFilter, PipelineFilter
from deals.forecast import forecast
from deals.models import Deal, Pipeline, Stage
from deals.services import (
    deal_abandon,
    deal_create,
    deal_delete,
    deal_lose,
    deal_move,
    deal_reopen,
    deal_update,
    deal_win,
    pipeline_delete,
)
from events.models import Source
from trash.api.history import RecordHistoryMixin


class PipelineViewSet(AccountScopedViewSet):
    """Pipelines and their ordered stages. PATCH `stages` replaces the list."""

    model = Pipeline
    serializer_class = PipelineSerializer
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    filterset_class = PipelineFilter

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("stages")

    def perform_destroy(self, instance):
        pipeline_delete(pipeline=instance)


class DealViewSet(RecordHistoryMixin, SearchOrderingMixin, AccountScopedViewSet):
    """Deals. `status` changes only through the actions, each answering with the deal."""

    model = Deal
    serializer_class = DealSerializer
    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, CustomFieldFilter]
    custom_field_record_type = "deal"
    filterset_class = DealFilter
    ordering_fields = ["value_cents", "expected_close_date", "created_at", "updated_at"]
    ordering = ["-created_at", "-id"]

    def scope_queryset(self, queryset):
        if self.action == "forecast":  # it reads deal columns alone: no join to stages
            return queryset
        return queryset.with_stage_probability()

    def perform_create(self, serializer):
        serializer.instance = deal_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_update(self, serializer):
        # The answer shows the stored row, concurrent changes to other fields included.
        serializer.instance = deal_update(
            deal=serializer.instance,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        deal_delete(deal=instance, by=self.request.user, source=Source.API)

    def _answer(self):
        # Read the deal again through the scoped queryset: a move changes its stage, so
        # the annotated stage probability the action's instance carries is stale.
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=MoveSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move an open deal to a stage of its pipeline; `probability` overrides the
        stage's, and leaving it out clears the override."""
        deal = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stage = (
            Stage.objects.for_account(request.account)
            .filter(pk=body.validated_data["stage"], pipeline_id=deal.pipeline_id)
            .first()
        )
        if stage is None:
            raise ValidationError({"stage": ["Pick a stage of the deal's pipeline."]})
        deal_move(
            deal=deal,
            by=request.user,
            source=Source.API,
            stage=stage,
            probability=body.validated_data.get("probability"),
        )
        return self._answer()

    @extend_schema(request=None, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        deal = self.get_object()
        deal_win(deal=deal, by=request.user, source=Source.API)
        return self._answer()

    @extend_schema(request=LoseSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        deal = self.get_object()
        body = LoseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal_lose(
            deal=deal, by=request.user, source=Source.API, reason=body.validated_data["reason"]
        )
        return self._answer()

    @extend_schema(request=None, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def abandon(self, request, pk=None):
        deal = self.get_object()
        deal_abandon(deal=deal, by=request.user, source=Source.API)
        return self._answer()

    @extend_schema(request=None, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        deal = self.get_object()
        deal_reopen(deal=deal, by=request.user, source=Source.API)
        return self._answer()

    @extend_schema(responses=ForecastSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def forecast(self, request):
        """Totals per currency and open totals per stage, weighted by probability,
        over the deals the list filters select. Two queries, whatever the count."""
        return Response(
            forecast(self.filter_queryset(self.get_queryset())), status=status.HTTP_200_OK
        )
