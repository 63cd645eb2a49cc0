"""web/members/: the members list, adding a teammate with a one-time set-password link,
role changes, deactivation and removal, and the rule that an account keeps an active
owner, through the web app; a deactivated member is refused by the web app, the API
and the admin (the one check in accounts/memberships.py)."""

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, User
from accounts.services import membership_change_role, membership_deactivate, membership_invite
from tests.conftest import make_actor
from tests.factories import ContactFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
OWNER, ADMIN, MEMBER = Membership.Role.OWNER, Membership.Role.ADMIN, Membership.Role.MEMBER
PASSWORD = "Corr3ct-Horse-Battery"


def membership_of(actor) -> Membership:
    return Membership.objects.get(account=actor.account, user=actor.user)


def invite(owner_client, **data):
    response = owner_client.post(
        "/settings/members/new/",
        {"username": "nia", "first_name": "Nia", "email": "Nia@Example.com", "role": MEMBER} | data,
    )
    assert response.status_code == 201, response.content[:1000]
    return response.context["link"]


def set_password(link, password=PASSWORD, confirm=None):
    """A fresh browser opens the link and sets a password; (client, last response)."""
    client = Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return client, opened
    form = client.get(opened.url)
    assert form.status_code == 200
    done = client.post(
        opened.url, {"new_password1": password, "new_password2": confirm or password}
    )
    return client, done


# -- the list --------------------------------------------------------------------------


def test_the_list_shows_name_email_role_and_status(owner, teammate):
    membership_invite(account=owner.account, username="ivy", first_name="Ivy", role=ADMIN)
    gone = make_actor(owner.account, MEMBER, username="gus", first_name="Gus", last_name="Gone")
    membership_deactivate(membership=membership_of(gone))
    page = client_for(teammate).get("/settings/members/").content.decode()
    for text in (
        owner.user.get_full_name(),
        owner.user.email,
        "Owner",
        "Admin",
        "Invited",
        "Deactivated",
        "Active",
        "Gus Gone",
    ):
        assert text in page, text
    # Members read: no way to add, change or remove anyone.
    assert "/settings/members/new/" not in page and "/deactivate/" not in page
    assert "/role/" not in page and "/remove/" not in page


def test_the_list_says_when_a_members_sign_in_is_disabled_site_wide(owner):
    """Their membership is active but their user is not (a superuser turned it off):
    the row says so, rather than "Active", and the settings count leaves them out."""
    off = make_actor(owner.account, MEMBER, username="sid", first_name="Sid", last_name="Off")
    User.objects.filter(pk=off.user.pk).update(is_active=False)
    client = client_for(owner)
    page = client.get("/settings/members/").content.decode()
    row = page[page.index("Sid Off") :]
    row = row[: row.index("</tr>")]
    assert "Sign-in disabled" in row and ">Active<" not in row
    assert "/deactivate/" in row  # the account may still deactivate the membership
    assert Membership.objects.for_account(owner.account).active().count() == 1


def test_the_list_costs_the_same_queries_for_few_and_many_members(owner):
    client = client_for(owner)

    def count():
        with capture_queries() as ctx:
            assert client.get("/settings/members/").status_code == 200
        return ctx

    make_actor(owner.account, MEMBER, username="m0")
    small = count()
    for n in range(1, 12):
        make_actor(owner.account, [MEMBER, ADMIN][n % 2], username=f"m{n}")
    large = count()
    assert_same_count(small, large, at_most=12)


# -- adding a teammate -----------------------------------------------------------------


def test_an_owner_adds_a_teammate_who_sets_a_password_and_is_signed_in(owner):
    link = invite(client_for(owner), role=ADMIN)
    user = User.objects.get(username="nia")
    assert not user.has_usable_password() and user.email == "nia@example.com"
    assert Membership.objects.get(user=user).role == ADMIN
    client, done = set_password(link)
    assert done.status_code == 302 and done.url == "/"
    assert client.get("/").status_code == 200  # signed in, in the account
    assert Client().login(username="nia", password=PASSWORD)


def test_the_link_works_once(owner):
    link = invite(client_for(owner))
    set_password(link)
    _client, again = set_password(link, password="An0ther-Passw0rd!")
    assert again.status_code == 400
    assert "This link does not work" in again.content.decode()
    assert Client().login(username="nia", password=PASSWORD)


def test_an_expired_link_is_refused(owner, monkeypatch, settings):
    link = invite(client_for(owner))
    later = PasswordResetTokenGenerator._now(default_token_generator) + dt.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 5
    )
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    _client, opened = set_password(link)
    assert opened.status_code == 400
    assert not User.objects.get(username="nia").has_usable_password()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda link: link[:-3] + "zz/",  # a wrong token
        lambda link: re.sub(r"/welcome/[^/]+/", "/welcome/MTIzNDU2/", link),  # no such user
        lambda link: re.sub(r"/welcome/[^/]+/", "/welcome/%%%/", link),  # not base64
    ],
    ids=["token", "user", "garbage"],
)
def test_a_wrong_link_is_a_clear_400(owner, mangle):
    link = invite(client_for(owner))
    response = Client().get(mangle(link))
    assert response.status_code == 400
    assert "Ask the person who added you for a new link" in response.content.decode()


def test_the_page_never_resets_the_password_of_someone_who_has_one(owner, teammate):
    """A reset token of a user with a password (which this app never hands out) does
    not open the page either: it is for invited teammates only."""
    uid = urlsafe_base64_encode(force_bytes(teammate.user.pk))
    token = default_token_generator.make_token(teammate.user)
    assert Client().get(f"/welcome/{uid}/{token}/").status_code == 400


def test_mismatched_passwords_are_a_400_and_set_nothing(owner):
    link = invite(client_for(owner))
    _client, done = set_password(link, confirm="Something-else-42")
    assert done.status_code == 400
    assert not User.objects.get(username="nia").has_usable_password()


def test_the_set_password_page_is_strict_csp_clean(owner):
    link = invite(client_for(owner))
    client = Client()
    page = client.get(client.get(link).url)
    html = page.content.decode()
    assert "script-src" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"].split("style-src")[0]
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert " style=" not in html and "<style" not in html
    assert 'autocomplete="new-password"' in html and '<label for="id_new_password1"' in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "OLIVIA"}, "username"),  # taken, whatever the case
        ({"username": "has space"}, "username"),
        ({"username": ""}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "emperor"}, "role"),
    ],
)
def test_bad_invites_are_a_400_and_create_nothing(owner, data, field):
    response = client_for(owner).post(
        "/settings/members/new/", {"username": "nia", "role": MEMBER} | data
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert User.objects.count() == 1


def test_an_admin_cannot_make_an_owner(owner):
    admin = make_actor(owner.account, ADMIN, username="ada")
    response = client_for(admin).post("/settings/members/new/", {"username": "nia", "role": OWNER})
    assert response.status_code == 400
    target = make_actor(owner.account, MEMBER, username="tim")
    url = f"/settings/members/{membership_of(target).pk}/role/"
    assert client_for(admin).post(url, {"role": OWNER}).status_code == 403
    assert client_for(admin).post(url, {"role": ADMIN}).status_code == 302
    assert membership_of(target).role == ADMIN


@pytest.mark.parametrize("action", ["role", "deactivate", "remove"])
def test_an_admin_cannot_touch_an_owner(owner, action):
    admin = make_actor(owner.account, ADMIN, username="ada")
    second = make_actor(owner.account, OWNER, username="oona")
    url = f"/settings/members/{membership_of(second).pk}/{action}/"
    assert client_for(admin).post(url, {"role": MEMBER}).status_code == 403
    stored = membership_of(second)
    assert (stored.role, stored.is_active) == (OWNER, True)


def test_a_new_link_for_someone_who_has_a_password_is_refused(owner, teammate):
    url = f"/settings/members/{membership_of(teammate).pk}/link/"
    response = client_for(owner).post(url)
    assert response.status_code == 409
    assert "set a password already" in response.content.decode()


def test_a_new_link_replaces_a_lost_one(owner):
    first = invite(client_for(owner))
    membership = Membership.objects.get(user__username="nia")
    response = client_for(owner).post(f"/settings/members/{membership.pk}/link/")
    assert response.status_code == 200
    _client, done = set_password(response.context["link"])
    assert done.status_code == 302
    assert set_password(first)[1].status_code == 400  # the old one is used up too


# -- roles, deactivation, removal and the last owner --------------------------------------


def test_role_changes(owner, teammate):
    url = f"/settings/members/{membership_of(teammate).pk}/role/"
    response = client_for(owner).post(url, {"role": ADMIN})
    assert response.status_code == 302 and response.url == "/settings/members/"
    assert membership_of(teammate).role == ADMIN


@pytest.mark.parametrize("role", ["", "emperor", "²"])
def test_a_bad_role_is_a_400(owner, teammate, role):
    url = f"/settings/members/{membership_of(teammate).pk}/role/"
    assert client_for(owner).post(url, {"role": role}).status_code == 400
    assert membership_of(teammate).role == MEMBER


@pytest.mark.parametrize(
    ("action", "data"),
    [("role", {"role": ADMIN}), ("deactivate", {}), ("remove", {})],
)
def test_the_last_owner_is_refused_with_a_clear_message(owner, teammate, action, data):
    url = f"/settings/members/{membership_of(owner).pk}/{action}/"
    response = client_for(owner).post(url, data)
    assert response.status_code == 409
    assert "last active owner" in response.content.decode()
    stored = membership_of(owner)
    assert (stored.role, stored.is_active) == (OWNER, True)


def test_a_second_owner_lets_the_first_step_down(owner, teammate):
    membership_change_role(membership=membership_of(teammate), role=OWNER)
    url = f"/settings/members/{membership_of(owner).pk}/role/"
    assert client_for(owner).post(url, {"role": MEMBER}).status_code == 302
    assert membership_of(owner).role == MEMBER


def test_removing_a_member_keeps_their_records(owner, teammate):
    contact = ContactFactory(account=owner.account, owner=teammate.user)
    url = f"/settings/members/{membership_of(teammate).pk}/remove/"
    assert client_for(owner).post(url).status_code == 302
    assert not Membership.objects.filter(user=teammate.user).exists()
    contact.refresh_from_db()
    assert contact.owner_id == teammate.user.pk


def test_deactivate_then_reactivate_through_the_web(owner, teammate):
    pk = membership_of(teammate).pk
    client = client_for(owner)
    assert client.post(f"/settings/members/{pk}/deactivate/").status_code == 302
    assert client_for(teammate).get("/contacts/").status_code == 403
    assert client.post(f"/settings/members/{pk}/reactivate/").status_code == 302
    assert client_for(teammate).get("/contacts/").status_code == 200


# -- a deactivated member is refused by every face ---------------------------------------


def test_a_deactivated_member_is_refused_by_the_web_app(owner, teammate):
    membership_deactivate(membership=membership_of(teammate))
    for path in ("/", "/contacts/", "/settings/"):
        response = client_for(teammate).get(path)
        assert response.status_code == 403, path
        assert "not in any account" in response.content.decode()


def test_a_deactivated_member_is_refused_by_the_api(owner, teammate):
    ContactFactory(account=owner.account, first_name="Secret")
    membership_deactivate(membership=membership_of(teammate))
    assert teammate.client.get("/api/v1/crm/contacts/").status_code == 403
    response = teammate.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT=str(owner.account.pk))
    assert response.status_code == 403
    me = teammate.client.get("/api/v1/me/")
    assert me.status_code == 403


def test_a_deactivated_member_with_another_account_acts_only_there(owner, teammate, outsider):
    Membership.objects.create(account=outsider.account, user=teammate.user)
    membership_deactivate(membership=membership_of(teammate))
    assert teammate.client.get("/api/v1/me/").json()["accounts"] == [
        {"id": outsider.account.pk, "name": outsider.account.name, "role": MEMBER}
    ]
    page = client_for(teammate).get("/").content.decode()
    assert "Globex" in page
    switched = client_for(teammate)
    switched.post("/account/switch/", {"account": owner.account.pk})
    assert "Globex" in switched.get("/").content.decode()  # the switch did not take


def test_a_deactivated_admin_is_refused_by_the_admin(owner):
    from django.contrib.auth.models import Permission

    staff = make_actor(owner.account, ADMIN, username="stella", is_staff=True)
    staff.user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["accounts", "contacts"])
    )
    ContactFactory(account=owner.account, first_name="Zelda")
    client = client_for(staff)
    assert "Zelda" in client.get("/admin/contacts/contact/").content.decode()
    membership_deactivate(membership=membership_of(staff))
    client = client_for(staff)
    assert "Zelda" not in client.get("/admin/contacts/contact/").content.decode()
    assert client.get(f"/admin/accounts/account/{owner.account.pk}/change/").status_code == 404
