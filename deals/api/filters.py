import django_filters

from deals.models import MAX_VALUE_CENTS, Deal, Pipeline
from lib.api.filters import IdFilter, OwnerFilter, SearchFilter, UpdatedFilterSet


class DealFilter(UpdatedFilterSet):
    pipeline = IdFilter(field_name="pipeline_id")
    stage = IdFilter(field_name="stage_id")
    # The deal's own column: no DISTINCT needed (it made PostgreSQL compare every column).
    status = django_filters.MultipleChoiceFilter(
        choices=Deal.Status.choices, distinct=False, help_text="May repeat."
    )
    contact = IdFilter(field_name="contact_id")
    company = IdFilter(field_name="company_id")
    owner = OwnerFilter(field_name="owner_id", help_text="A user id, or `me`.")
    search = SearchFilter(help_text="Title; every word must match as a prefix.")
    min_value_cents = django_filters.NumberFilter(
        field_name="value_cents", lookup_expr="gte", min_value=0, max_value=MAX_VALUE_CENTS
    )
    max_value_cents = django_filters.NumberFilter(
        field_name="value_cents", lookup_expr="lte", min_value=0, max_value=MAX_VALUE_CENTS
    )
    expected_close_after = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="gte"
    )
    expected_close_before = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="lte"
    )

    class Meta:
        model = Deal
        fields = [
            "pipeline",
            "stage",
            "status",
            "contact",
            "company",
            "owner",
            "search",
            "min_value_cents",
            "max_value_cents",
            "expected_close_after",
            "expected_close_before",
        ]


class PipelineFilter(UpdatedFilterSet):
    class Meta:
        model = Pipeline
        fields = ["updated_after", "updated_before"]
