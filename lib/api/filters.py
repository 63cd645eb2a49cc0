"""Filter and ordering pieces shared by every CRM list."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import F
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from lib.ids import parse_id


class StableOrderingFilter(OrderingFilter):
    """DRF ordering that always ends on the primary key, so pages never overlap.

    Fields a view lists in `nulls_last_fields` sort their empty values last in
    both directions (a task without a due date comes after the dated ones).
    Every list of a record with `updated_at` may be ordered by it (the API contract,
    "Concurrency, retries and limits"), whether or not its view lists it in
    `ordering_fields`: a sync client reads every list the same way.
    """

    always_ordered_by = ("updated_at",)

    def get_valid_fields(self, queryset, view, context=None):
        valid = list(super().get_valid_fields(queryset, view, context or {}))
        names = {name for name, _label in valid}
        model_fields = {field.name for field in queryset.model._meta.get_fields()}
        valid += [
            (name, name)
            for name in self.always_ordered_by
            if name in model_fields and name not in names
        ]
        return valid

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(term.lstrip("-") in {"id", "pk"} for term in ordering):
            ordering.append("-id" if ordering and ordering[0].startswith("-") else "id")
        return ordering

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        nulls_last = getattr(view, "nulls_last_fields", ())
        terms = []
        for term in ordering:
            name = term.lstrip("-")
            if name in nulls_last:
                expression = F(name)
                term = (expression.desc if term.startswith("-") else expression.asc)(
                    nulls_last=True
                )
            terms.append(term)
        return queryset.order_by(*terms)


class UserIdOrMeField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in ("", "me"):
            return value
        user_id = parse_id(value)
        if user_id is None:
            raise forms.ValidationError("Enter a user id or “me”.")
        return user_id


@extend_schema_field(OpenApiTypes.STR)
class OwnerFilter(django_filters.Filter):
    """`owner=<user id>` or `owner=me`."""

    field_class = UserIdOrMeField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            value = self.parent.request.user.pk
        return qs.filter(**{self.field_name: value})


class MultipleValueField(forms.Field):
    """A query parameter that may repeat (`?tag=a&tag=b`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        return [str(item) for item in value][:20]


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class AllTagsFilter(django_filters.Filter):
    """`?tag=a&tag=b`: records carrying every named tag (the queryset's `with_tags`)."""

    field_class = MultipleValueField

    def filter(self, qs, value):
        return qs.with_tags(value) if value else qs


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A record id; an id that is not the account's simply matches nothing."""

    field_class = IdField


class SearchFilter(django_filters.CharFilter):
    """`?search=`: the queryset's own `search()` (every word matches as a prefix)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return qs.search(value) if value else qs


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time, converted to UTC: any offset Python accepts (±23:59) is
    then one PostgreSQL accepts too (it refuses offsets beyond ±15:59)."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a date-time within years 1-9999.") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class UpdatedFilterSet(django_filters.FilterSet):
    """The base of every record list's FilterSet: `updated_after` and `updated_before`
    (ISO 8601 date-times; both inclusive, like `created_after`/`created_before`, so a
    client polling from the newest `updated_at` it saw never misses a record updated
    in that same microsecond; it may see that one again)."""

    updated_after = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Records updated at or after this ISO 8601 date-time.",
    )
    updated_before = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="lte",
        help_text="Records updated at or before this ISO 8601 date-time.",
    )
