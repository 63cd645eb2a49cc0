"""The UI's side of the one tenancy mechanism.

The account a page acts for is the one the user picked with the account switcher
(kept in the session), else their default membership; `resolve_membership` is the
same function the API uses for `X-Account`. Views get their rows only through
`AccountViewMixin.get_queryset()`, which scopes `model` to that account, so a record
of another account is a 404 like a missing one.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from accounts.memberships import NoSuchMembership, resolve_membership

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

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            activate_account(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.scope_queryset(self.model.objects.for_account(self.request.account))

    def scope_queryset(self, queryset):
        """Hook: narrow or decorate the account's rows."""
        return queryset
