"""Signing in and out in a real browser, under the strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_signs_in_and_out(page, owner):
    page.goto("/")
    assert "/login/" in page.url  # the UI needs a signed-in user
    sign_in(page, owner.user.username)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "Acme" in page.content()
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
    assert page.csp_errors == []


def test_a_wrong_password_is_refused(page, owner):
    page.goto("/login/")
    page.get_by_label("Username").fill(owner.user.username)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/login/" in page.url
