"""The admin's account page edits memberships through the services: the account keeps
an active owner there too, and a row keeps its user."""

import pytest
from django.test import Client

from accounts.models import Account, Membership
from tests.factories import UserFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db
OWNER, MEMBER = Membership.Role.OWNER, Membership.Role.MEMBER


@pytest.fixture
def superuser():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(account):
    return f"/admin/accounts/account/{account.pk}/change/"


def rows(data) -> dict:
    """The inline's row prefix for each membership id."""
    found = {}
    for key, value in data.items():
        if key.startswith("memberships-") and key.endswith("-id") and value[0]:
            found[int(value[0])] = key.removesuffix("-id")
    return found


def post_with(client, account, edit):
    data = form_data(client.get(change_url(account)).text, "account_form")
    edit(data, rows(data))
    return client.post(change_url(account), {**data, "_save": "Save"})


def membership_of(actor):
    return Membership.objects.get(account=actor.account, user=actor.user)


@pytest.mark.parametrize(
    "edit",
    [
        lambda data, prefix: data.update({f"{prefix}-role": [MEMBER]}),
        lambda data, prefix: data.pop(f"{prefix}-is_active", None),
        lambda data, prefix: data.update({f"{prefix}-DELETE": ["on"]}),
    ],
    ids=["demote", "deactivate", "delete"],
)
def test_the_admin_never_takes_away_the_last_owner(superuser, owner, teammate, edit):
    mine = membership_of(owner).pk
    response = post_with(superuser, owner.account, lambda data, r: edit(data, r[mine]))
    assert response.status_code == 200
    assert "at least one active owner" in response.content.decode()
    stored = membership_of(owner)
    assert (stored.role, stored.is_active) == (OWNER, True)


def test_the_admin_hands_the_account_to_another_owner_in_one_save(superuser, owner, teammate):
    mine, theirs = membership_of(owner).pk, membership_of(teammate).pk

    def edit(data, prefixes):
        data[f"{prefixes[mine]}-role"] = [MEMBER]
        data[f"{prefixes[theirs]}-role"] = [OWNER]

    assert post_with(superuser, owner.account, edit).status_code == 302
    assert (membership_of(owner).role, membership_of(teammate).role) == (MEMBER, OWNER)


def test_the_admin_deactivates_and_removes_members(superuser, owner, teammate):
    theirs = membership_of(teammate).pk

    def deactivate(data, prefixes):
        data.pop(f"{prefixes[theirs]}-is_active", None)

    assert post_with(superuser, owner.account, deactivate).status_code == 302
    assert not membership_of(teammate).is_active

    def delete(data, prefixes):
        data[f"{prefixes[theirs]}-DELETE"] = ["on"]

    assert post_with(superuser, owner.account, delete).status_code == 302
    assert not Membership.objects.filter(pk=theirs).exists()


def test_a_membership_keeps_its_user(superuser, owner, teammate):
    other = UserFactory(username="other")
    Membership.objects.create(account=Account.objects.create(name="Elsewhere"), user=other)
    theirs = membership_of(teammate).pk

    def edit(data, prefixes):
        data[f"{prefixes[theirs]}-user"] = [str(other.pk)]

    response = post_with(superuser, owner.account, edit)
    assert response.status_code == 200
    assert membership_of(teammate).user == teammate.user


def test_the_admin_changes_settings_through_account_update(superuser, owner, monkeypatch):
    import accounts.admin

    calls = []
    original = accounts.admin.account_update
    monkeypatch.setattr(
        accounts.admin,
        "account_update",
        lambda *, account, data: calls.append(data) or original(account=account, data=data),
    )

    def edit(data, _prefixes):
        data["time_zone"] = ["Europe/Paris"]

    assert post_with(superuser, owner.account, edit).status_code == 302
    assert calls == [{"time_zone": "Europe/Paris"}]
    assert Account.objects.get(pk=owner.account.pk).time_zone == "Europe/Paris"
