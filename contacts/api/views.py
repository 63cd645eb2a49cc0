from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin, TagActionsMixin
from contacts.api.serializers import (
    BulkImportResultSerializer,
    BulkImportRowsSchema,
    BulkImportSerializer,
    ContactSerializer,
)
from contacts.duplicates import contact_duplicates, contact_pairs
from contacts.filters import ContactFilter
from contacts.models import Contact
from contacts.services import (
    CONTACT_MERGE_FIELDS,
    BulkImportInvalid,
    contact_bulk_import,
    contact_create,
    contact_delete,
    contact_merge,
    contact_tag_add,
    contact_tag_remove,
    contact_update,
)
from customfields.api.filters import CustomFieldFilter
from events.models import Source
from lib.api.duplicates import DuplicatesActionsMixin
from trash.api.history import RecordHistoryMixin
from trash.api.merge import MergeActionMixin, merge_request_serializer

BulkImportErrors = inline_serializer(
    "BulkImportErrors",
    {
        "errors": serializers.ListField(
            required=False,
            help_text="Invalid rows by index (absent when the request itself is malformed).",
            child=inline_serializer(
                "BulkImportRowError",
                {"index": serializers.IntegerField(), "errors": serializers.DictField()},
            ),
        )
    },
)


ContactMerge = merge_request_serializer("ContactMerge", CONTACT_MERGE_FIELDS)


@extend_schema_view(
    merge=extend_schema(request=ContactMerge, responses={200: ContactSerializer}),
    duplicate_pair_list=extend_schema(operation_id="v1_crm_contacts_duplicate_pairs_list"),
)
class ContactViewSet(
    DuplicatesActionsMixin,
    MergeActionMixin,
    RecordHistoryMixin,
    SearchOrderingMixin,
    TagActionsMixin,
    AccountScopedViewSet,
):
    model = Contact
    serializer_class = ContactSerializer
    filter_backends = [*api_settings.DEFAULT_FILTER_BACKENDS, CustomFieldFilter]
    custom_field_record_type = "contact"
    merge_serializer_class = ContactMerge
    filterset_class = ContactFilter
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at"]
    ordering = ["last_name", "first_name", "id"]

    def scope_queryset(self, queryset):
        return queryset.with_tag_list()

    def perform_create(self, serializer):
        owner = {"owner": self.request.user} if "owner" not in serializer.validated_data else {}
        serializer.instance = self.created_record = contact_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data | owner,
        )

    def duplicates_of(self, record):
        return contact_duplicates(record)

    def duplicate_pairs(self):
        return contact_pairs(self.request.account)

    def perform_update(self, serializer):
        serializer.instance = contact_update(
            contact=serializer.instance,
            by=self.request.user,
            source=Source.API,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance):
        contact_delete(contact=instance, by=self.request.user, source=Source.API)

    def perform_add_tag(self, record, name):
        return contact_tag_add(contact=record, by=self.request.user, source=Source.API, name=name)

    def perform_remove_tag(self, record, tag):
        contact_tag_remove(contact=record, by=self.request.user, source=Source.API, tag=tag)

    @extend_schema(
        request=BulkImportRowsSchema,
        responses={
            201: BulkImportResultSerializer,
            400: OpenApiResponse(BulkImportErrors, description="Invalid rows, by index."),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-import")
    def bulk_import(self, request):
        """Create up to 1,000 contacts at once; all or nothing."""
        body = BulkImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        context = self.get_serializer_context() | {"bulk": True}

        # One serializer validates every row (as DRF's ListSerializer does): building
        # its fields once instead of per row is most of a 1,000-row import's time.
        validator = ContactSerializer(context=context)

        def validate_row(row, related_cache):
            validator.context["related_cache"] = related_cache
            try:
                return validator.run_validation(row)
            except serializers.ValidationError as exc:
                raise ValueError(exc.detail) from exc

        try:
            result = contact_bulk_import(
                account=request.account,
                user=request.user,
                source=Source.API,
                rows=body.validated_data["contacts"],
                on_duplicate=body.validated_data["on_duplicate"],
                validate_row=validate_row,
            )
        except BulkImportInvalid as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(BulkImportResultSerializer(result).data, status=status.HTTP_201_CREATED)

    def perform_merge(self, record, other_id, prefer_other):
        contact_merge(
            contact=record,
            other=other_id,
            prefer_other=prefer_other,
            by=self.request.user,
            source=Source.API,
        )
