"""Filter and ordering pieces shared by every CRM list."""

import datetime as dt

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """DRF ordering that always ends on the primary key, so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(term.lstrip("-") in {"id", "pk"} for term in ordering):
            ordering.append("-id" if ordering and ordering[0].startswith("-") else "id")
        return ordering


class UserIdOrMeField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip()
        if value in ("", "me"):
            return value
        if not value.isdigit() or len(value) > 18:
            raise forms.ValidationError("Enter a user id or “me”.")
        return int(value)


class OwnerFilter(django_filters.Filter):
    """`owner=<user id>` or `owner=me`."""

    field_class = UserIdOrMeField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if value == "me":
            value = self.parent.request.user.pk
        return qs.filter(**{self.field_name: value})


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


def account_queryset(model):
    """A django-filter `queryset` callable: `model`'s rows of the request's account."""

    def queryset(request):
        if request is None or getattr(request, "account", None) is None:
            return model.objects.none()
        return model.objects.for_account(request.account)

    return queryset


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
