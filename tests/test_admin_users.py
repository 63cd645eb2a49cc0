"""Users in the admin: staff change only users wholly inside the accounts they
administer (owner or admin there); anyone shared with another account is read-only."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import Membership, User
from tests.factories import ContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_of(account, role=Membership.Role.ADMIN, username="stella"):
    """A staff user with every accounts permission and `role` in `account`."""
    user = UserFactory(username=username, is_staff=True)
    MembershipFactory(account=account, user=user, role=role)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["accounts", "contacts"])
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(account):
    return staff_of(account)


@pytest.fixture
def shared_admin(account, other_account):
    """An admin of the other account who is also a mere member of the staff's account."""
    user = UserFactory(username="shared", email="shared@example.com")
    MembershipFactory(account=other_account, user=user, role=Membership.Role.ADMIN)
    MembershipFactory(account=account, user=user, role=Membership.Role.MEMBER)
    return user


def password_form(password="n3w-Passw0rd!x"):
    return {"password1": password, "password2": password}


def signs_in_with(user, password):
    return User.objects.get(pk=user.pk).check_password(password)


def test_staff_cannot_change_a_shared_admins_password(staff, shared_admin):
    url = f"/admin/accounts/user/{shared_admin.pk}/password/"
    assert staff.get(url).status_code == 403
    assert staff.post(url, password_form()).status_code == 403
    assert signs_in_with(shared_admin, "pw")
    assert not signs_in_with(shared_admin, "n3w-Passw0rd!x")


def test_staff_see_a_shared_user_read_only_and_cannot_deactivate_them(staff, shared_admin):
    url = f"/admin/accounts/user/{shared_admin.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="is_active"' not in page.text and "/password/" not in page.text
    response = staff.post(url, {"username": "shared", "email": "evil@example.com"})
    assert response.status_code == 403
    user = User.objects.get(pk=shared_admin.pk)
    assert user.is_active and user.email == "shared@example.com"


def test_staff_cannot_delete_a_shared_user_one_by_one_or_in_bulk(staff, shared_admin):
    assert staff.get(f"/admin/accounts/user/{shared_admin.pk}/delete/").status_code == 403
    assert (
        staff.post(f"/admin/accounts/user/{shared_admin.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = staff.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [shared_admin.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert User.objects.filter(pk=shared_admin.pk).exists()


def test_staff_still_change_a_user_wholly_in_their_account(staff, account):
    teammate = MembershipFactory(account=account, user__username="teammate").user
    response = staff.post(f"/admin/accounts/user/{teammate.pk}/password/", password_form())
    assert response.status_code == 302
    assert signs_in_with(teammate, "n3w-Passw0rd!x")


@pytest.fixture
def account_owner(account):
    """The account's owner: not staff, a member of this account only."""
    owner = UserFactory(username="olga", email="olga@example.com")
    MembershipFactory(account=account, user=owner, role=Membership.Role.OWNER)
    return owner


def test_an_admin_cannot_take_over_the_owners_sign_in(staff, account_owner):
    """Only an owner touches an owner (as on the web's members page): an admin who is
    staff must not set the owner's password (and sign in as them), disable their
    sign-in, change their email or delete them."""
    password_url = f"/admin/accounts/user/{account_owner.pk}/password/"
    assert staff.post(password_url, password_form()).status_code == 403
    assert signs_in_with(account_owner, "pw")
    change_url = f"/admin/accounts/user/{account_owner.pk}/change/"
    page = staff.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert 'name="is_active"' not in page.text and "/password/" not in page.text
    assert (
        staff.post(change_url, {"username": "olga", "email": "evil@example.com"}).status_code == 403
    )
    assert staff.get(f"/admin/accounts/user/{account_owner.pk}/delete/").status_code == 403
    stored = User.objects.get(pk=account_owner.pk)
    assert stored.is_active and stored.email == "olga@example.com"


def test_a_deactivated_owner_is_still_an_owner_an_admin_cannot_touch(staff, account):
    owner = UserFactory(username="otto")
    MembershipFactory(account=account, user=owner, role=Membership.Role.OWNER, is_active=False)
    url = f"/admin/accounts/user/{owner.pk}/password/"
    assert staff.post(url, password_form()).status_code == 403


def test_an_owner_who_is_staff_changes_another_owner(account, account_owner):
    owner_staff = staff_of(account, role=Membership.Role.OWNER, username="oscar")
    url = f"/admin/accounts/user/{account_owner.pk}/password/"
    assert owner_staff.post(url, password_form()).status_code == 302
    assert signs_in_with(account_owner, "n3w-Passw0rd!x")


def test_an_owner_of_one_account_and_admin_of_another_cannot_touch_the_others_owner(
    account, other_account
):
    """Owner where the user is a member, but only admin where the user is an owner."""
    shared = UserFactory(username="paula")
    MembershipFactory(account=account, user=shared, role=Membership.Role.MEMBER)
    MembershipFactory(account=other_account, user=shared, role=Membership.Role.OWNER)
    staff = staff_of(account, role=Membership.Role.OWNER, username="oscar")
    MembershipFactory(account=other_account, user=User.objects.get(username="oscar"))
    Membership.objects.filter(account=other_account, user__username="oscar").update(
        role=Membership.Role.ADMIN
    )
    url = f"/admin/accounts/user/{shared.pk}/password/"
    assert staff.post(url, password_form()).status_code == 403
    assert signs_in_with(shared, "pw")


def test_staff_cannot_change_a_superuser_or_another_staff_user_of_their_account(staff, account):
    for username, flags in (
        ("root", {"is_superuser": True, "is_staff": True}),
        ("steve", {"is_staff": True}),
    ):
        user = UserFactory(username=username, **flags)
        MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
        url = f"/admin/accounts/user/{user.pk}/password/"
        assert staff.post(url, password_form()).status_code == 403, username
        assert signs_in_with(user, "pw")


def test_a_staff_member_without_an_admin_role_administers_nothing(account, teammate):
    member = staff_of(account, role=Membership.Role.MEMBER)
    ContactFactory(account=account, first_name="Secretive")
    assert "Secretive" not in member.get("/admin/contacts/contact/").text
    assert member.get(f"/admin/accounts/account/{account.pk}/change/").status_code == 404
    password = member.post(f"/admin/accounts/user/{teammate.user.pk}/password/", password_form())
    assert password.status_code == 404
    assert signs_in_with(teammate.user, "pw")


def test_a_staff_member_cannot_promote_themselves_through_the_account_page(account):
    member = staff_of(account, role=Membership.Role.MEMBER, username="climber")
    membership = Membership.objects.get(user__username="climber")
    member.post(
        f"/admin/accounts/account/{account.pk}/change/",
        {
            "name": account.name,
            "currency": "USD",
            "phone_region": "US",
            "time_zone": "UTC",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-account": account.pk,
            "memberships-0-user": membership.user_id,
            "memberships-0-role": "owner",
        },
    )
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.MEMBER


def test_staff_of_two_accounts_see_rows_only_where_they_are_admins(account, other_account):
    staff = staff_of(account)
    MembershipFactory(
        account=other_account, user=User.objects.get(username="stella"), role=Membership.Role.MEMBER
    )
    ContactFactory(account=account, first_name="Mine")
    ContactFactory(account=other_account, first_name="Theirs")
    page = staff.get("/admin/contacts/contact/").text
    assert "Mine" in page and "Theirs" not in page


def test_staff_cannot_pull_a_user_of_another_account_into_theirs(staff, account, outsider):
    response = staff.post(
        f"/admin/accounts/account/{account.pk}/change/",
        {
            "name": account.name,
            "currency": "USD",
            "phone_region": "US",
            "time_zone": "UTC",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-account": account.pk,
            "memberships-0-user": outsider.user.pk,
            "memberships-0-role": "member",
        },
    )
    assert response.status_code == 200  # shown again: not one of the choices
    assert not Membership.objects.filter(account=account, user=outsider.user).exists()


# -- the account page's membership rows: only an owner touches an owner or makes one --


def account_page_post(client, account, rows, initial):
    """Post the account's change page with these membership rows (dicts of fields)."""
    data = {
        "name": account.name,
        "currency": "USD",
        "phone_region": "US",
        "time_zone": "UTC",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
    }
    for i, row in enumerate(rows):
        data.update({f"memberships-{i}-{name}": value for name, value in row.items()})
    return client.post(f"/admin/accounts/account/{account.pk}/change/", data)


def row(membership, **changes):
    values = {
        "id": membership.pk,
        "account": membership.account_id,
        "user": membership.user_id,
        "role": membership.role,
        "is_active": "on" if membership.is_active else "",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value != ""}


def rows_as_stored(account):
    return {
        (m.user.username, m.role, m.is_active)
        for m in Membership.objects.filter(account=account).select_related("user")
    }


@pytest.mark.parametrize(
    "change",
    [
        "promote herself",
        "promote a member",
        "add an owner",
        "demote the owner",
        "deactivate the owner",
        "remove the owner",
    ],
)
def test_an_admin_cannot_make_or_touch_an_owner_on_the_account_page(
    staff, account, other_account, account_owner, change
):
    mine = Membership.objects.get(user__username="stella")
    theirs = Membership.objects.get(user=account_owner)
    member = MembershipFactory(account=account, user__username="mo")
    # Nina is in Stella's other account, so Stella's scope offers her.
    newcomer = MembershipFactory(account=other_account, user__username="nina").user
    MembershipFactory(account=other_account, user=mine.user, role=Membership.Role.ADMIN)
    rows = [row(mine), row(theirs), row(member)]
    if change == "promote herself":
        rows[0] = row(mine, role="owner")
    elif change == "promote a member":
        rows[2] = row(member, role="owner")
    elif change == "add an owner":
        rows.append(
            {"account": account.pk, "user": newcomer.pk, "role": "owner", "is_active": "on"}
        )
    elif change == "demote the owner":
        rows[1] = row(theirs, role="admin")
    elif change == "deactivate the owner":
        rows[1] = row(theirs, is_active="")
    else:
        rows[1] = row(theirs, DELETE="on")
    before = rows_as_stored(account)
    response = account_page_post(staff, account, rows, initial=3)
    assert response.status_code == 200  # shown again, with the refusal
    assert "Only an owner can change an owner" in response.text
    assert rows_as_stored(account) == before


def test_an_admin_still_manages_members_on_the_account_page(staff, account, account_owner):
    mine = Membership.objects.get(user__username="stella")
    theirs = Membership.objects.get(user=account_owner)
    member = MembershipFactory(account=account, user__username="mo")
    rows = [row(mine), row(theirs), row(member, role="admin", is_active="")]
    response = account_page_post(staff, account, rows, initial=3)
    assert response.status_code == 302
    assert ("mo", "admin", False) in rows_as_stored(account)


def test_an_owner_makes_and_demotes_owners_on_the_account_page(account, account_owner):
    owner_staff = staff_of(account, role=Membership.Role.OWNER, username="oscar")
    mine = Membership.objects.get(user__username="oscar")
    theirs = Membership.objects.get(user=account_owner)
    member = MembershipFactory(account=account, user__username="mo")
    rows = [row(mine), row(theirs, role="admin"), row(member, role="owner")]
    response = account_page_post(owner_staff, account, rows, initial=3)
    assert response.status_code == 302
    assert {("olga", "admin", True), ("mo", "owner", True)} <= rows_as_stored(account)
