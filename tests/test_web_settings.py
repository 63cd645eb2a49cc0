"""The settings area (web/settings/, web/members/) for every role: owners and admins
read and write, members read (any write is a 403), an outsider never reaches another
account's member (404) and a signed-out visitor is sent to sign in. Then the account
page itself: it writes through `account_update`, as the API's PATCH does."""

import pytest
from django.test import Client

from accounts.models import Account, Membership
from accounts.services import membership_invite
from tests.conftest import make_actor
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
OWNER, ADMIN, MEMBER = Membership.Role.OWNER, Membership.Role.ADMIN, Membership.Role.MEMBER
SETTINGS = {
    "name": "Acme Ltd",
    "currency": "EUR",
    "phone_region": "FR",
    "time_zone": "Europe/Paris",
}
INVITE = {"username": "newbie", "first_name": "New", "email": "new@example.com", "role": MEMBER}

# (method, path, data, answer for owners and admins, answer for members);
# `{pk}` is another member of the account (invited: no password yet).
ROUTES = [
    ("get", "/settings/", None, 200, 200),
    ("get", "/settings/account/", None, 200, 200),
    ("post", "/settings/account/", SETTINGS, 302, 403),
    ("get", "/settings/members/", None, 200, 200),
    ("get", "/settings/members/new/", None, 200, 403),
    ("post", "/settings/members/new/", INVITE, 201, 403),
    ("get", "/settings/members/{pk}/role/", None, 405, 405),
    ("post", "/settings/members/{pk}/role/", {"role": ADMIN}, 302, 403),
    ("post", "/settings/members/{pk}/deactivate/", {}, 302, 403),
    ("post", "/settings/members/{pk}/reactivate/", {}, 302, 403),
    ("post", "/settings/members/{pk}/link/", {}, 200, 403),
    ("post", "/settings/members/{pk}/remove/", {}, 302, 403),
]
ROUTE_IDS = [f"{method} {path}" for method, path, *_ in ROUTES]


@pytest.fixture
def target(owner):
    return membership_invite(account=owner.account, username="target", first_name="Tara")


def actor_for(role, account):
    return make_actor(account, role, username=f"as-{role}")


def request(client, method, path, data, target):
    url = path.format(pk=target.pk)
    return getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "path", "data", "managers", "members"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("role", [OWNER, ADMIN, MEMBER])
def test_each_route_for_each_role(owner, target, role, method, path, data, managers, members):
    actor = owner if role == OWNER else actor_for(role, owner.account)
    response = request(client_for(actor), method, path, data, target)
    assert response.status_code == (members if role == MEMBER else managers), response.content[:500]
    if role == MEMBER and response.status_code == 403:  # nothing written
        stored = Membership.objects.get(pk=target.pk)
        assert (stored.role, stored.is_active) == (MEMBER, True)
        assert Account.objects.get(pk=owner.account.pk).name == "Acme"


@pytest.mark.parametrize(("method", "path", "data", "managers", "members"), ROUTES, ids=ROUTE_IDS)
def test_an_outsider_never_reaches_another_accounts_member(
    outsider, target, method, path, data, managers, members
):
    response = request(client_for(outsider), method, path, data, target)
    if "{pk}" in path:
        assert response.status_code == 404
    else:  # their own account's page
        assert response.status_code == managers
    stored = Membership.objects.get(pk=target.pk)
    assert (stored.role, stored.is_active) == (MEMBER, True)
    assert Account.objects.get(pk=target.account_id).name == "Acme"


@pytest.mark.parametrize(("method", "path", "data", "managers", "members"), ROUTES, ids=ROUTE_IDS)
def test_signed_out_visitors_are_sent_to_sign_in(target, method, path, data, managers, members):
    response = request(Client(), method, path, data, target)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_user_menu_links_to_settings(owner):
    assert 'href="/settings/"' in client_for(owner).get("/").content.decode()


def test_the_index_links_to_the_pages_that_exist(owner):
    page = client_for(owner).get("/settings/").content.decode()
    assert 'href="/settings/account/"' in page and 'href="/settings/members/"' in page
    # Built by other areas: linked once their URL exists (pipelines and tags do now).
    assert 'href="/settings/pipelines/"' in page and 'href="/settings/tags/"' in page


def test_an_owner_changes_the_account_settings(owner):
    response = client_for(owner).post("/settings/account/", SETTINGS)
    assert response.status_code == 302
    account = Account.objects.get(pk=owner.account.pk)
    assert (account.name, account.currency, account.phone_region, account.time_zone) == (
        "Acme Ltd",
        "EUR",
        "FR",
        "Europe/Paris",
    )


def test_a_member_reads_the_settings_but_gets_no_save_button(owner, teammate):
    page = client_for(teammate).get("/settings/account/").content.decode()
    assert "Save settings" not in page and "disabled" in page and "Acme" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("time_zone", "Mars/Base"), ("currency", "XXZ"), ("phone_region", "ZZ"), ("name", "")],
)
def test_bad_settings_are_a_400_and_nothing_is_saved(owner, field, value):
    response = client_for(owner).post("/settings/account/", {**SETTINGS, field: value})
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    # The header still shows the stored name, not the posted one.
    assert "<small>Acme</small>" in response.content.decode()
    assert Account.objects.get(pk=owner.account.pk).name == "Acme"


def test_saving_unchanged_settings_writes_nothing(owner):
    before = Account.objects.get(pk=owner.account.pk).updated_at
    current = {"name": "Acme", "currency": "USD", "phone_region": "US", "time_zone": "UTC"}
    assert client_for(owner).post("/settings/account/", current).status_code == 302
    assert Account.objects.get(pk=owner.account.pk).updated_at == before


def test_the_api_and_the_web_app_share_account_update(owner, monkeypatch):
    calls = []
    import accounts.api.views
    import web.settings.views

    for module in (accounts.api.views, web.settings.views):
        original = module.account_update
        monkeypatch.setattr(
            module,
            "account_update",
            lambda *, account, data, original=original: (
                calls.append(data) or original(account=account, data=data)
            ),
        )
    owner.client.patch("/api/v1/crm/account/", {"name": "Via API"}, format="json")
    client_for(owner).post("/settings/account/", {**SETTINGS, "name": "Via web"})
    assert [call.get("name") for call in calls] == ["Via API", "Via web"]
    assert Account.objects.get(pk=owner.account.pk).name == "Via web"
