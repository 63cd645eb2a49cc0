"""The 403 page: styled, still a 403, and it tells a user in no account what to do."""

import pytest
from django.test import Client, RequestFactory

from tests.factories import MembershipFactory, UserFactory
from web.errors import permission_denied

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_in_no_account_is_sent_to_the_admin_to_pick_one(account):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    response = signed_in(root).get("/")
    assert response.status_code == 403
    assert "web/app.css" in response.text  # the site's layout, not a bare page
    assert "not in any account" in response.text
    assert 'href="/admin/accounts/account/"' in response.text
    assert 'action="/logout/"' in response.text and "csrfmiddlewaretoken" in response.text


def test_a_user_in_no_account_is_told_to_ask_their_accounts_owner():
    response = signed_in(UserFactory(username="newbie")).get("/contacts/")
    assert response.status_code == 403
    assert "web/app.css" in response.text
    assert "Ask your account’s owner" in response.text
    assert "/admin/" not in response.text
    assert 'action="/logout/"' in response.text


def test_staff_refused_in_the_admin_get_the_styled_page_with_a_way_back(account):
    staff = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=staff, role="admin")
    response = signed_in(staff).get("/admin/authtoken/tokenproxy/")
    assert response.status_code == 403
    assert "Not allowed" in response.text and 'href="/admin/"' in response.text
    assert "not in any account" not in response.text


def test_the_api_keeps_its_json_403():
    response = permission_denied(RequestFactory().get("/api/v1/crm/contacts/"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
