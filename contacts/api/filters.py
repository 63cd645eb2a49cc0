import django_filters
from django import forms

from accounts.api.filters import DateTimeFilter, OwnerFilter
from contacts.models import Contact


class MultipleValueField(forms.Field):
    """A query parameter that may repeat (`?tag=a&tag=b`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        return [str(item) for item in value]


class AllOfFilter(django_filters.Filter):
    field_class = MultipleValueField


class ContactFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200,
                                       help_text="Every word must match: `ali smi`.")
    tag = AllOfFilter(method="filter_tags", help_text="Tag name; repeat to require several.")
    owner = OwnerFilter(field_name="owner_id", help_text="A user id, or `me`.")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Contact
        fields = ["search", "tag", "owner", "created_after", "created_before"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_tags(self, queryset, name, value):
        return queryset.with_tags(value) if value else queryset
