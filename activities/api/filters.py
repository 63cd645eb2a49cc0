import django_filters
from django.utils import timezone

from activities.models import Activity
from lib.api.filters import DateTimeFilter, IdFilter, OwnerFilter, UpdatedFilterSet


class ActivityFilter(UpdatedFilterSet):
    # A value filters the activity's own column: no DISTINCT needed.
    type = django_filters.MultipleChoiceFilter(choices=Activity.Type.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(
        choices=Activity.Status.choices, distinct=False, help_text="May repeat."
    )
    contact = IdFilter(field_name="contact_id")
    company = IdFilter(field_name="company_id")
    deal = IdFilter(field_name="deal_id")
    owner = OwnerFilter(field_name="owner_id", help_text="A user id, or `me`.")
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lte")
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_overdue",
        help_text="`true`: not done and due in the past; `false`: the others.",
    )

    class Meta:
        model = Activity
        fields = [
            "type",
            "status",
            "contact",
            "company",
            "deal",
            "owner",
            "due_after",
            "due_before",
            "overdue",
        ]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        return queryset.overdue(now) if value == "true" else queryset.not_overdue(now)
