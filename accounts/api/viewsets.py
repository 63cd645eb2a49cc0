"""Base classes that own tenancy for every API view.

Subclasses set `model` and narrow the scoped queryset through `scope_queryset()`;
they never build a queryset from `Model.objects` themselves, so `get_object()`,
lists, filters and actions all go through the same account scope.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.api.record_writes import RecordWritesMixin
from accounts.api.serializers import TagNameSerializer
from accounts.api.throttles import rate_limit_headers
from accounts.memberships import NoSuchMembership, resolve_membership
from accounts.models import Tag
from lib.search import order_hits_by_sorting, search_words


class AccountContextMixin:
    """Right after DRF authenticates the request, pin the account it acts for,
    so permission classes and throttles can use `request.account`.

    `X-Account: <id>` picks one of the user's accounts; else their default one.
    """

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Kept on the Django request, which DRF's clones (OPTIONS metadata) share.
        django_request = request._request
        django_request.account = django_request.membership = None
        if getattr(self, "swagger_fake_view", False) or not request.user.is_authenticated:
            return  # IsAuthenticated answers 401 next
        header = request.headers.get("X-Account")
        membership = None if header else getattr(request.user, "default_membership_loaded", None)
        try:
            membership = membership or resolve_membership(request.user, header)
        except NoSuchMembership as exc:
            if "integer" in str(exc):
                raise ValidationError({"detail": str(exc)}) from exc
            raise PermissionDenied(str(exc)) from exc
        django_request.membership = membership
        django_request.account = membership.account

    def finalize_response(self, request, response, *args, **kwargs):
        """Every answer to an authenticated request says where its caller stands
        against the API's rate limit (RateLimit-* headers)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response


class AccountScopedMixin(RecordWritesMixin, AccountContextMixin):
    """Owns `get_queryset()` (and so `get_object()`) for one CRM model, and the
    conditional and idempotent writes of its records (RecordWritesMixin)."""

    model = None
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scope_queryset(self.model.objects.for_account(self.request.account))

    def scope_queryset(self, queryset):
        """Hook: narrow or decorate (select/prefetch) the account's rows."""
        return queryset

    def get_object(self):
        """The record, 404 if not the account's; with `If-Match`, its row locked first
        (so it is read as it stands) and its ETag compared (412)."""
        if self.has_precondition:
            lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            self.lock_record(
                self.model.objects.for_account(self.request.account).filter(
                    **{self.lookup_field: lookup}
                )
            )
        # A list's filters and ordering do not apply to one record (DRF's get_object
        # would run them, building the FilterSet on every read and write of a record).
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        record = generics.get_object_or_404(self.get_queryset(), **{self.lookup_field: lookup})
        self.check_object_permissions(self.request, record)
        self.check_precondition(record)
        return record

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["account"] = getattr(self.request, "account", None)
        return context

    def perform_create(self, serializer):
        serializer.save(account=self.request.account)


class AccountScopedViewSet(AccountScopedMixin, viewsets.ModelViewSet):
    """CRUD over one CRM model, scoped to the request's account."""


class AccountScopedGenericViewSet(AccountScopedMixin, viewsets.GenericViewSet):
    """Only the actions a subclass declares, over one CRM model's scoped rows."""


class TagActionsMixin:
    """`POST {id}/tags/` adds one tag by name; `DELETE {id}/tags/{tag_id}/` removes one."""

    @extend_schema(request=TagNameSerializer)
    @action(detail=True, methods=["post"], url_path="tags")
    def add_tag(self, request, pk=None):
        """Add one tag (created if needed) to the record; answers with the record."""
        record = self.get_object()
        body = TagNameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.perform_add_tag(record, body.validated_data["name"])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"tags/(?P<tag_id>[0-9]+)")
    def remove_tag(self, request, pk=None, tag_id=None):
        """Take a tag off this record only; the tag itself stays."""
        record = self.get_object()
        tag = get_object_or_404(Tag.objects.for_account(request.account), pk=tag_id)
        self.perform_remove_tag(record, tag)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # The app's viewset writes through its record service (which records the change).
    def perform_add_tag(self, record, name: str):
        raise NotImplementedError

    def perform_remove_tag(self, record, tag: Tag):
        raise NotImplementedError


class SearchOrderingMixin:
    """With `?search=`, keep the requested order but let PostgreSQL sort the hits
    (see `order_hits_by_sorting`)."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if search_words(self.request.query_params.get("search", "")):
            queryset = order_hits_by_sorting(queryset)
        return queryset
