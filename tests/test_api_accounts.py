"""/me/, /members/, /account/, tokens and the X-Account header."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.conftest import make_actor
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_the_right_password_and_signs_its_user_in(account):
    ann = UserFactory(username="ann")
    MembershipFactory(account=account, user=ann)
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ann", "password": "pw"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["account"]) == ("ann", account.pk)


def test_a_token_of_a_user_in_no_account_authenticates_but_is_refused():
    UserFactory(username="ann")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ann", "password": "pw"}, format="json"
    )
    me = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}").get("/api/v1/me/")
    assert me.status_code == 403  # signed in (not 401), but there is no account to act for
    assert me.json() == {"detail": "You are not a member of any account."}


def test_a_wrong_password_gets_no_token():
    UserFactory(username="ann")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ann", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "detail" in response.json()


@pytest.mark.parametrize("header", [None, "Token nope", "Bearer x", "Token "])
def test_requests_without_valid_credentials_are_401(header, owner):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    for path in ("/api/v1/me/", "/api/v1/crm/contacts/", "/api/v1/crm/account/"):
        assert client.get(path).status_code == 401


def test_me_describes_the_user_and_the_account_acted_for(owner):
    second = AccountFactory(name="Second")
    MembershipFactory(account=second, user=owner.user, role=Membership.Role.MEMBER)
    body = owner.client.get("/api/v1/me/").json()
    assert body["id"] == owner.user.pk
    assert body["username"] == "olivia"
    assert set(body) == {
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "accounts",
        "account",
    }
    assert body["account"] == owner.account.pk  # the first membership is the default
    assert {(a["id"], a["name"], a["role"]) for a in body["accounts"]} == {
        (owner.account.pk, "Acme", "owner"),
        (second.pk, "Second", "member"),
    }
    body = owner.client.get("/api/v1/me/", HTTP_X_ACCOUNT=str(second.pk)).json()
    assert body["account"] == second.pk


def test_x_account_switches_what_a_member_of_several_accounts_sees(owner):
    second = AccountFactory()
    MembershipFactory(account=second, user=owner.user)
    mine = ContactFactory(account=owner.account)
    other = ContactFactory(account=second)
    default = owner.client.get("/api/v1/crm/contacts/").json()
    assert [c["id"] for c in default["results"]] == [mine.pk]
    switched = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT=str(second.pk)).json()
    assert [c["id"] for c in switched["results"]] == [other.pk]


def test_x_account_of_an_account_the_user_is_not_in_gets_no_data(owner, outsider):
    ContactFactory(account=outsider.account)
    response = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT=str(outsider.account.pk))
    assert response.status_code == 403
    assert "results" not in response.json()
    missing = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT="999999")
    assert missing.status_code == 403
    assert missing.json() == response.json()  # existence of an account is not revealed


def test_a_non_integer_x_account_is_a_400(owner):
    response = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT="abc")
    assert response.status_code == 400
    assert "X-Account" in response.json()["detail"]


def test_a_user_with_no_account_is_refused():
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/crm/contacts/")
    assert response.status_code == 403


def test_members_lists_the_accounts_members_with_roles(owner, teammate, outsider):
    body = owner.client.get("/api/v1/crm/members/").json()
    assert body["count"] == 2
    assert [(m["id"], m["username"], m["role"]) for m in body["results"]] == [
        (owner.user.pk, "olivia", "owner"),
        (teammate.user.pk, "tom", "member"),
    ]
    assert set(body["results"][0]) == {"id", "username", "first_name", "last_name", "email", "role"}


def test_members_is_read_only(owner):
    assert owner.client.post("/api/v1/crm/members/", {}, format="json").status_code == 405


def test_account_shows_the_requests_account(owner):
    body = owner.client.get("/api/v1/crm/account/").json()
    assert body == {
        "id": owner.account.pk,
        "name": "Acme",
        "currency": "USD",
        "phone_region": "US",
        "time_zone": "UTC",
    }


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_can_change_the_account(account, role):
    actor = make_actor(account, role)
    response = actor.client.patch(
        "/api/v1/crm/account/",
        {
            "name": "Acme GmbH",
            "currency": "EUR",
            "phone_region": "DE",
            "time_zone": "Europe/Berlin",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    account.refresh_from_db()
    assert (account.name, account.currency, account.phone_region, account.time_zone) == (
        "Acme GmbH",
        "EUR",
        "DE",
        "Europe/Berlin",
    )


def test_a_member_cannot_change_the_account(teammate):
    response = teammate.client.patch("/api/v1/crm/account/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    teammate.account.refresh_from_db()
    assert teammate.account.name == "Acme"


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "XYZ"), ("phone_region", "ZZ"), ("time_zone", "Mars/Base"), ("name", "")],
)
def test_account_settings_are_validated(owner, field, value):
    response = owner.client.patch("/api/v1/crm/account/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_account_cannot_be_deleted_through_the_api(owner):
    assert owner.client.delete("/api/v1/crm/account/").status_code == 405


# -- token authentication ------------------------------------------------------------------


def test_a_token_and_its_default_account_cost_one_query(owner):
    from accounts.api.authentication import TokenAuthentication
    from tests.queries import assert_queries

    key = owner.client._credentials["HTTP_AUTHORIZATION"].split()[1]
    with assert_queries(1):
        user, token = TokenAuthentication().authenticate_credentials(key)
    assert user == owner.user and token.key == key
    assert user.default_membership_loaded.account == owner.account
    assert owner.client.get("/api/v1/me/").json()["account"] == owner.account.pk


@pytest.mark.django_db
def test_tokens_of_inactive_users_without_accounts_or_unknown_keys_are_refused():
    from rest_framework.authtoken.models import Token

    lonely, inactive = UserFactory(), UserFactory(is_active=False)
    MembershipFactory(account=AccountFactory(), user=inactive)
    client = APIClient()
    for user, status in [(lonely, 403), (inactive, 401)]:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        assert client.get("/api/v1/crm/contacts/").status_code == status, user
    client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 40)
    assert client.get("/api/v1/crm/contacts/").status_code == 401
