"""Which account a request acts for: the one place every face (web app, API, admin)
resolves a user's memberships, so a deactivated membership is refused everywhere."""

from accounts.models import Membership
from lib.ids import is_id_shaped, parse_id


class NoSuchMembership(LookupError):
    """The user is not a member of the account asked for (or of any account)."""


def acting_memberships():
    """Memberships that may act for their account: deactivated ones never do. Every
    face starts from this queryset (lazy: no query until read)."""
    return Membership.objects.active()


def resolve_membership(user, requested_account_id: str | int | None) -> Membership:
    """The user's membership in the requested account, else their default one.

    One query. An account the user is not a member of, one where their membership
    is deactivated, and an account that does not exist give the same answer, so ids
    cannot be probed.
    """
    memberships = acting_memberships().filter(user=user).select_related("account")
    if requested_account_id not in (None, ""):
        if not is_id_shaped(requested_account_id):
            raise NoSuchMembership("X-Account must be an account id (an integer).")
        account_id = parse_id(requested_account_id)
        if account_id is None:  # 0, or beyond any id: no such account, without a query
            raise NoSuchMembership("You are not a member of that account.")
        membership = memberships.filter(account_id=account_id).first()
        if membership is None:
            raise NoSuchMembership("You are not a member of that account.")
        return membership
    membership = memberships.order_by("created_at", "id").first()
    if membership is None:
        raise NoSuchMembership("You are not a member of any account.")
    return membership
