"""Whether a record's owner still acts for its account.

A deactivated member keeps the records they own (accounts/models.py, Membership), and
their name stays on them; the record's page marks it "deactivated" so a reader knows
the owner will not act on it, and the edit form already offers only active members
(User.objects.assignable_to). Annotated in the record's own query: no query more.
"""

from django.db.models import Exists, OuterRef

from accounts.models import Membership


def with_owner_status(queryset):
    """`queryset` with `owner_is_active`: its owner holds an active membership of the
    record's account (False also when it has no owner)."""
    active = Membership.objects.active().filter(
        account_id=OuterRef("account_id"), user_id=OuterRef("owner_id")
    )
    return queryset.annotate(owner_is_active=Exists(active))
