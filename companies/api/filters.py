import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from companies.models import Company
from lib.api.filters import AllTagsFilter, OwnerFilter, SearchFilter, UpdatedFilterSet
from lib.ids import parse_id


class IdOrNoneField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in ("", "none"):
            return value
        company_id = parse_id(value)
        if company_id is None:
            raise forms.ValidationError("Enter a company id, or “none” for top-level companies.")
        return company_id


@extend_schema_field(OpenApiTypes.STR)
class ParentFilter(django_filters.Filter):
    """`parent=<id>` for a company's subsidiaries, `parent=none` for top-level companies."""

    field_class = IdOrNoneField

    def filter(self, qs, value):
        if value == "":
            return qs
        if value == "none":
            return qs.top_level()
        return qs.filter(parent_id=value)


class CompanyFilter(UpdatedFilterSet):
    search = SearchFilter(help_text="Name and domain; every word must match as a prefix.")
    tag = AllTagsFilter(help_text="Tag name; repeat to require several.")
    industry = django_filters.CharFilter(lookup_expr="iexact", max_length=100)
    size = django_filters.ChoiceFilter(choices=Company.Size.choices)
    parent = ParentFilter(help_text="A company id, or `none` for top-level companies.")
    owner = OwnerFilter(field_name="owner_id", help_text="A user id, or `me`.")

    class Meta:
        model = Company
        fields = ["search", "tag", "industry", "size", "parent", "owner"]
