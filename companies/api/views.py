from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.settings import api_settings

from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin, TagActionsMixin
from companies.api.serializers import CompanySerializer
from companies.duplicates import company_duplicates, company_pairs
from companies.filters import CompanyFilter
from companies.models import Company
from companies.services import (
    COMPANY_MERGE_FIELDS,
    company_create,
    company_delete,
    company_merge,
    company_tag_add,
    company_tag_remove,
    company_update,
)
from customfields.api.filters import CustomFieldFilter
from events.models import Source
from lib.api.duplicates import DuplicatesActionsMixin
from trash.api.history import RecordHistoryMixin
from trash.api.merge import MergeActionMixin, merge_request_serializer

CompanyMerge = merge_request_serializer("CompanyMerge", COMPANY_MERGE_FIELDS)


@extend_schema_view(
    merge=extend_schema(request=CompanyMerge, responses={200: CompanySerializer}),
    duplicate_pair_list=extend_schema(operation_id="v1_crm_companies_duplicate_pairs_list"),
)
class CompanyViewSet(
    DuplicatesActionsMixin,
    MergeActionMixin,
    RecordHistoryMixin,
    SearchOrderingMixin,
    TagActionsMixin,
    AccountScopedViewSet,
):
    """Companies. Deleting one keeps its contacts and subsidiaries, unlinked."""

    model = Company
    serializer_class = CompanySerializer
    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, CustomFieldFilter]
    custom_field_record_type = "company"
    merge_serializer_class = CompanyMerge
    filterset_class = CompanyFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def scope_queryset(self, queryset):
        return queryset.with_contact_count().with_tag_list()

    def perform_create(self, serializer):
        owner = {"owner": self.request.user} if "owner" not in serializer.validated_data else {}
        serializer.instance = self.created_record = company_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data | owner,
        )

    def duplicates_of(self, record):
        return company_duplicates(record)

    def duplicate_pairs(self):
        return company_pairs(self.request.account)

    def perform_update(self, serializer):
        serializer.instance = company_update(
            company=serializer.instance,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        company_delete(company=instance, by=self.request.user, source=Source.API)

    def perform_add_tag(self, record, name):
        return company_tag_add(company=record, by=self.request.user, source=Source.API, name=name)

    def perform_remove_tag(self, record, tag):
        company_tag_remove(company=record, by=self.request.user, source=Source.API, tag=tag)

    def perform_merge(self, record, other_id, prefer_other):
        company_merge(
            company=record,
            other=other_id,
            prefer_other=prefer_other,
            by=self.request.user,
            source=Source.API,
        )
