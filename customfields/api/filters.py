"""The `cf_<key>` filters and `ordering=cf_<key>` of the record lists, as a DRF filter
backend: a viewset lists it in `filter_backends` and names its `custom_field_record_type`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from customfields.filtering import custom_field_params, filter_by_custom_fields
from customfields.values import definitions_for


class CustomFieldFilter(BaseFilterBackend):
    """Runs after the ordering filter, whose order an `ordering=cf_<key>` replaces.
    One query (the definitions), only when the request names a `cf_` parameter."""

    def filter_queryset(self, request, queryset, view):
        params = request.query_params
        if not custom_field_params(params):
            return queryset
        definitions = definitions_for(request.account.pk, view.custom_field_record_type)
        try:
            return filter_by_custom_fields(
                queryset,
                definitions,
                params,
                ordering_fields=[*getattr(view, "ordering_fields", ()), "updated_at"],
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc

    def get_schema_operation_parameters(self, view):
        # The keys are each account's own: the list views' descriptions name them.
        return []
