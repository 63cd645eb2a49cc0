"""Site-wide tables in the admin (API tokens, permission groups, task results) hold
every account's rows: superusers only, whatever model permissions staff hold."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE_WIDE_PAGES = [
    "/admin/authtoken/tokenproxy/",
    "/admin/authtoken/tokenproxy/add/",
    "/admin/auth/group/",
    "/admin/auth/group/add/",
    "/admin/django_tasks_database/dbtaskresult/",
]


@pytest.fixture
def staff_with_every_permission(account):
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.OWNER)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser():
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_staff_never_see_another_accounts_token_whatever_their_permissions(
    staff_with_every_permission, owner, outsider
):
    keys = [Token.objects.get(user=actor.user).key for actor in (owner, outsider)]
    index = staff_with_every_permission.get("/admin/")
    assert index.status_code == 200
    assert "/admin/authtoken/" not in index.text
    for page in (
        f"/admin/authtoken/tokenproxy/{outsider.user.pk}/change/",
        "/admin/authtoken/tokenproxy/?q=oscar",
    ):
        response = staff_with_every_permission.get(page)
        assert response.status_code == 403
        assert not any(key in response.text for key in keys)


def test_staff_cannot_open_any_site_wide_table(staff_with_every_permission):
    index = staff_with_every_permission.get("/admin/").text
    assert "/admin/auth/group/" not in index and "/admin/django_tasks_database/" not in index
    for page in SITE_WIDE_PAGES:
        assert staff_with_every_permission.get(page).status_code == 403, page


def test_staff_cannot_add_a_token_for_a_user_of_another_account(
    staff_with_every_permission, outsider
):
    Token.objects.filter(user=outsider.user).delete()
    response = staff_with_every_permission.post(
        "/admin/authtoken/tokenproxy/add/", {"user": outsider.user.pk}
    )
    assert response.status_code == 403
    assert not Token.objects.filter(user=outsider.user).exists()


def test_superusers_still_manage_tokens(superuser, owner):
    key = Token.objects.get(user=owner.user).key
    assert key in superuser.get("/admin/authtoken/tokenproxy/").text
    for page in SITE_WIDE_PAGES:
        assert superuser.get(page).status_code == 200, page
