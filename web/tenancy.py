"""The UI's side of the one tenancy mechanism.

The account a page acts for is the one the user picked with the account switcher
(kept in the session), else their default membership; `resolve_membership` is the
same function the API uses for `X-Account`. Views get their rows only through
`AccountViewMixin.get_queryset()` and `get_object()`, which scope `model` to that
account, so a record of another account is a 404 like a missing one. A view narrows
or decorates its rows through the `scope_queryset()` hook, never by building its own
queryset (as PostHog's routing does); a bypass would be named `dangerously_*`.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.memberships import NoSuchMembership, resolve_membership
from lib.ids import parse_id

SESSION_KEY = "account_id"


def activate_account(request) -> None:
    """Set `request.account` and `request.membership` for a signed-in user."""
    try:
        membership = resolve_membership(request.user, request.session.get(SESSION_KEY))
    except NoSuchMembership:
        request.session.pop(SESSION_KEY, None)  # left that account: fall back
        try:
            membership = resolve_membership(request.user, None)
        except NoSuchMembership as exc:
            raise PermissionDenied(str(exc)) from exc
    request.membership = membership
    request.account = membership.account


class AccountViewMixin(LoginRequiredMixin):
    """For every UI view: signed in, acting for one account, rows scoped to it."""

    model = None
    pk_url_kwarg = "pk"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            activate_account(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        """The account's rows of `model`, through `scope_queryset()`."""
        return self.scope_queryset(self.model.objects.for_account(self.request.account))

    def get_object(self, queryset=None):
        """The record the URL's `pk` names, among the account's rows (one query); a
        missing one, another account's and an id that is not one are the same 404.
        `queryset` (Django's signature) must come from `get_queryset()`."""
        queryset = self.get_queryset() if queryset is None else queryset
        pk = parse_id(self.kwargs.get(self.pk_url_kwarg))
        if pk is None:
            raise Http404("No such record.")
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            raise Http404("No such record.") from None

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Another account's record is a 404 whatever the method: even a 405 would
        # confirm that the id exists (one query, only on a refused method).
        if self.pk_url_kwarg in self.kwargs:
            self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def scope_queryset(self, queryset):
        """Hook: narrow or decorate the account's rows."""
        return queryset
