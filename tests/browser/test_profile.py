"""The profile page and the 403 page in a real browser, by keyboard, under the CSP."""

import os

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.browser.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages


def test_a_user_regenerates_their_token_with_the_keyboard(signed_in, owner):
    page = signed_in
    old = Token.objects.get(user=owner.user).key
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Profile and API token").click()
    page.wait_for_url("**/profile/")
    token_field = page.get_by_label("Your API token")
    expect(token_field).to_have_value(old)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/profile.png", full_page=True)
    page.get_by_role("button", name="Regenerate token").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    new = Token.objects.get(user=owner.user).key
    assert new != old
    expect(page.get_by_label("Your API token")).to_have_value(new)
    expect(page.get_by_role("main").get_by_role("status")).to_be_visible()
    assert page.csp_errors == []


def test_a_user_in_no_account_sees_what_to_do(page):
    UserFactory(username="newbie")
    sign_in(page, "newbie")
    expect(page.get_by_role("heading", name="You are not in any account yet")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/forbidden.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
    assert page.csp_errors == []
