"""accounts/services.py: the membership services and `account_update`, which every face
(web app, API, admin) calls. The last active owner is never demoted, deactivated or
removed; a deactivated membership acts nowhere (accounts/memberships.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.memberships import NoSuchMembership, resolve_membership
from accounts.models import Account, Membership, User
from accounts.services import (
    LastOwner,
    OwnersOnly,
    UsernameTaken,
    account_create,
    account_update,
    membership_add,
    membership_change_role,
    membership_deactivate,
    membership_invite,
    membership_reactivate,
    membership_remove,
)
from tests.conftest import make_actor
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
OWNER, ADMIN, MEMBER = Membership.Role.OWNER, Membership.Role.ADMIN, Membership.Role.MEMBER


def membership_of(actor) -> Membership:
    return Membership.objects.get(account=actor.account, user=actor.user)


def test_invite_creates_a_user_without_a_password_and_their_membership(owner):
    membership = membership_invite(
        account=owner.account, username="nia", email="nia@example.com", first_name="Nia", role=ADMIN
    )
    user = User.objects.get(username="nia")
    assert membership.user == user and membership.role == ADMIN and membership.is_active
    assert not user.has_usable_password()
    assert (user.email, user.first_name) == ("nia@example.com", "Nia")


def test_invite_refuses_a_taken_username_whatever_its_case(owner):
    with pytest.raises(UsernameTaken):
        membership_invite(account=owner.account, username="OLIVIA")
    assert Membership.objects.filter(account=owner.account).count() == 1


def test_invite_refuses_an_invalid_username_and_writes_nothing(owner):
    with pytest.raises(ValidationError):
        membership_invite(account=owner.account, username="no spaces allowed")
    assert not User.objects.filter(username="no spaces allowed").exists()


def test_change_role_promotes_and_demotes(owner, teammate):
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    membership_change_role(membership=membership_of(owner), role=MEMBER)
    assert membership_of(owner).role == MEMBER
    assert membership_of(teammate).role == OWNER


@pytest.mark.parametrize(
    "change",
    [
        lambda m: membership_change_role(membership=m, role=ADMIN),
        lambda m: membership_deactivate(membership=m),
        lambda m: membership_remove(membership=m),
    ],
    ids=["demote", "deactivate", "remove"],
)
def test_the_last_active_owner_is_never_lost(owner, teammate, change):
    with pytest.raises(LastOwner, match="last active owner"):
        change(membership_of(owner))
    stored = membership_of(owner)
    assert (stored.role, stored.is_active) == (OWNER, True)


def test_a_deactivated_owner_does_not_count_as_an_owner(owner, teammate):
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    membership_deactivate(membership=membership_of(teammate))
    with pytest.raises(LastOwner):
        membership_change_role(membership=membership_of(owner), role=MEMBER)


def test_an_owner_disabled_site_wide_does_not_count_as_an_owner(owner, teammate):
    """A superuser turned the other owner's user off (`User.is_active`): they cannot
    sign in, so the account would be left with no owner who can act."""
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    User.objects.filter(pk=teammate.user.pk).update(is_active=False)
    assert list(Membership.objects.owners().filter(account=owner.account)) == [membership_of(owner)]
    with pytest.raises(LastOwner):
        membership_deactivate(membership=membership_of(owner))
    assert membership_of(owner).is_active


def test_the_owners_lock_takes_no_lock_on_the_users(owner):
    if not connection.features.has_select_for_update_of:
        pytest.skip("SQLite takes no row locks (it serialises writers)")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        membership_change_role(membership=membership_of(owner), role=OWNER)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 2, "the owners, then the membership changed"
    assert all('FOR UPDATE OF "accounts_membership"' in sql for sql in locking), locking


def test_a_second_owner_may_leave(owner, teammate):
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    membership_remove(membership=membership_of(owner))
    assert not Membership.objects.filter(account=owner.account, user=owner.user).exists()


def test_a_stale_membership_object_is_read_again_under_the_lock(owner, teammate):
    stale = membership_of(teammate)
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    membership_change_role(membership=membership_of(owner), role=MEMBER)
    # `stale` still says member; the stored row is the account's only owner.
    with pytest.raises(LastOwner):
        membership_deactivate(membership=stale)


def test_deactivate_and_reactivate(owner, teammate):
    contact = ContactFactory(account=owner.account, owner=teammate.user)
    membership_deactivate(membership=membership_of(teammate))
    with pytest.raises(NoSuchMembership):
        resolve_membership(teammate.user, None)
    with pytest.raises(NoSuchMembership):
        resolve_membership(teammate.user, owner.account.pk)
    contact.refresh_from_db()
    assert contact.owner_id == teammate.user.pk  # their records stay theirs
    membership_reactivate(membership=membership_of(teammate))
    assert resolve_membership(teammate.user, None).account == owner.account


def test_a_deactivated_membership_falls_back_to_the_users_other_account(owner, teammate, outsider):
    Membership.objects.create(account=outsider.account, user=teammate.user)
    membership_deactivate(membership=membership_of(teammate))
    assert resolve_membership(teammate.user, None).account == outsider.account


def test_account_update_saves_only_what_changed(owner):
    account = Account.objects.get(pk=owner.account.pk)
    before = account.updated_at
    account_update(account=account, data={"name": account.name, "currency": account.currency})
    assert Account.objects.get(pk=account.pk).updated_at == before  # nothing changed
    account_update(account=account, data={"time_zone": "Europe/Paris", "name": "Acme"})
    stored = Account.objects.get(pk=account.pk)
    assert stored.time_zone == "Europe/Paris" and stored.updated_at > before


def test_account_update_refuses_invalid_values_and_saves_nothing(owner):
    with pytest.raises(ValidationError):
        account_update(account=owner.account, data={"name": "Ok", "time_zone": "Mars/Base"})
    stored = Account.objects.get(pk=owner.account.pk)
    assert (stored.name, stored.time_zone) == ("Acme", "UTC")


def test_account_update_refuses_what_is_not_a_setting(owner):
    with pytest.raises(ValueError):
        account_update(account=owner.account, data={"created_at": None})


def test_a_new_account_has_its_owner_and_a_default_pipeline():
    account = account_create(name="Fresh", username="fresh", password="pw-long-enough-1")
    assert Membership.objects.get(account=account).role == OWNER
    from deals.models import Pipeline

    assert Pipeline.objects.for_account(account).count() == 1


# -- who may change whom (`by`): only an owner touches an owner or makes one --------


@pytest.fixture
def admin(account):
    return membership_of(make_actor(account, ADMIN, username="ada"))


@pytest.mark.parametrize(
    "change",
    [
        lambda m, by: membership_change_role(membership=m, role=MEMBER, by=by),
        lambda m, by: membership_deactivate(membership=m, by=by),
        lambda m, by: membership_remove(membership=m, by=by),
    ],
    ids=["demote", "deactivate", "remove"],
)
def test_an_admin_cannot_touch_an_owner(owner, admin, change):
    second = make_actor(owner.account, OWNER, username="otto")  # not the last owner
    with pytest.raises(OwnersOnly):
        change(membership_of(second), admin)
    stored = membership_of(second)
    assert (stored.role, stored.is_active) == (OWNER, True)


def test_an_admin_cannot_make_an_owner_in_any_way(owner, teammate, admin):
    with pytest.raises(OwnersOnly):
        membership_change_role(membership=membership_of(teammate), role=OWNER, by=admin)
    with pytest.raises(OwnersOnly):
        membership_change_role(membership=admin, role=OWNER, by=admin)
    with pytest.raises(OwnersOnly):
        membership_invite(account=owner.account, username="new", role=OWNER, by=admin)
    with pytest.raises(OwnersOnly):
        membership_add(
            account=owner.account, user=UserFactory(username="added"), role=OWNER, by=admin
        )
    assert list(Membership.objects.owners().filter(account=owner.account)) == [membership_of(owner)]
    assert not User.objects.filter(username="new").exists()


def test_an_admin_manages_members_and_an_owner_manages_owners(owner, teammate, admin):
    membership_change_role(membership=membership_of(teammate), role=ADMIN, by=admin)
    membership_deactivate(membership=membership_of(teammate), by=admin)
    membership_invite(account=owner.account, username="ivy", role=ADMIN, by=admin)
    membership_change_role(membership=admin, role=OWNER, by=membership_of(owner))
    membership_change_role(membership=membership_of(owner), role=MEMBER, by=admin)
    assert membership_of(owner).role == MEMBER


def test_a_member_changes_no_one(owner, teammate):
    other = membership_of(make_actor(owner.account, MEMBER, username="mo"))
    with pytest.raises(OwnersOnly):
        membership_deactivate(membership=other, by=membership_of(teammate))
    with pytest.raises(OwnersOnly):
        membership_invite(account=owner.account, username="x", by=membership_of(teammate))


def test_the_actor_is_judged_as_stored_under_the_lock(owner, teammate, admin):
    """The member was promoted after the admin's page read them, and the admin was
    demoted after their own membership was read: each is judged as it is now."""
    stale_teammate = membership_of(teammate)
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    with pytest.raises(OwnersOnly):
        membership_deactivate(membership=stale_teammate, by=admin)
    assert membership_of(teammate).is_active
    other = membership_of(make_actor(owner.account, MEMBER, username="mo"))
    stale_admin = admin
    Membership.objects.filter(pk=admin.pk).update(role=MEMBER)
    with pytest.raises(OwnersOnly):
        membership_deactivate(membership=other, by=stale_admin)


def test_an_actor_of_another_account_changes_no_one(owner, teammate, outsider):
    with pytest.raises(OwnersOnly):
        membership_deactivate(membership=membership_of(teammate), by=membership_of(outsider))
    assert membership_of(teammate).is_active
