"""Two owners demoting (or deactivating, or removing) each other at the same instant
(PostgreSQL, threads released by a barrier, several rounds): the services lock the
account's active owners first, so one change wins and the other finds the last owner.
The account is never left without an active owner."""

import pytest
from django.db import connection

from accounts.models import Membership
from accounts.services import (
    LastOwner,
    OwnersOnly,
    membership_change_role,
    membership_deactivate,
    membership_remove,
)
from tests.conftest import make_actor
from tests.races import ROUNDS, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
OWNER = Membership.Role.OWNER


def demote(membership):
    return lambda: membership_change_role(membership=membership, role=Membership.Role.MEMBER)


def deactivate(membership):
    return lambda: membership_deactivate(membership=membership)


def remove(membership):
    return lambda: membership_remove(membership=membership)


@pytest.mark.parametrize(
    ("first", "second"),
    [(demote, demote), (deactivate, deactivate), (remove, remove), (demote, deactivate)],
    ids=["demote-demote", "deactivate-deactivate", "remove-remove", "demote-deactivate"],
)
def test_two_owners_taking_each_others_ownership_leave_one_owner(account, first, second):
    for round_number in range(ROUNDS):
        one = make_actor(account, OWNER, username=f"one{first.__name__}{round_number}")
        two = make_actor(account, OWNER, username=f"two{first.__name__}{round_number}")
        Membership.objects.filter(account=account).exclude(
            user__in=[one.user, two.user]
        ).delete()  # the previous round's survivor: these two are the only owners
        mine = Membership.objects.get(account=account, user=one.user)
        theirs = Membership.objects.get(account=account, user=two.user)
        results = together(first(theirs), second(mine))
        refused = [r for r in results if isinstance(r, LastOwner)]
        assert len(refused) == 1, results
        assert not [r for r in results if isinstance(r, Exception) and r not in refused]
        assert Membership.objects.owners().filter(account=account).count() == 1


def test_two_invites_of_one_username_at_once_make_one_user(account):
    from accounts.models import User
    from accounts.services import UsernameTaken, membership_invite

    for round_number in range(ROUNDS):
        username = f"twin{round_number}"

        def invite(username=username):
            return membership_invite(account=account, username=username)

        results = together(invite, invite)
        assert sorted(type(r).__name__ for r in results) == ["Membership", "UsernameTaken"]
        assert isinstance(next(r for r in results if isinstance(r, Exception)), UsernameTaken)
        assert User.objects.filter(username=username).count() == 1


def test_an_admin_deactivating_a_member_as_an_owner_promotes_them_never_touches_an_owner(
    account,
):
    """An owner promotes a member while an admin deactivates the same member, from the
    pages they both opened when the member was a member. Whichever runs first, the
    admin never changes an owner: the services judge the member under their lock."""
    owner = Membership.objects.get(user=make_actor(account, OWNER, username="olga").user)
    admin = Membership.objects.get(
        user=make_actor(account, Membership.Role.ADMIN, username="ada").user
    )
    for round_number in range(ROUNDS):
        member = Membership.objects.get(user=make_actor(account, username=f"m{round_number}").user)
        seen = Membership.objects.get(pk=member.pk)  # both pages read them as a member
        promoted, deactivated = together(
            lambda seen=seen: membership_change_role(membership=seen, role=OWNER, by=owner),
            lambda seen=seen: membership_deactivate(membership=seen, by=admin),
        )
        assert not isinstance(promoted, Exception), promoted  # the owner may, either way
        if isinstance(deactivated, Exception):
            assert isinstance(deactivated, OwnersOnly), deactivated  # promoted first
            assert Membership.objects.get(pk=member.pk).is_active
        else:  # deactivated first: it met a member, as it returns them
            assert deactivated.role == Membership.Role.MEMBER
        assert Membership.objects.get(pk=member.pk).role == OWNER
