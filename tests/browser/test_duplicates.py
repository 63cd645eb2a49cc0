"""Likely duplicates in a real browser, by keyboard, under the CSP: the create form's
hint as the user types, then the Duplicates page, its scan and the compare page."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages


def test_a_likely_duplicate_is_found_while_typing_and_compared_by_keyboard(signed_in, owner):
    page = signed_in
    existing = ContactFactory(account=owner.account, first_name="José", last_name="Núñez")
    page.goto("/contacts/new/")
    page.get_by_label("First name").fill("jose")
    page.get_by_label("Last name").fill("NUNEZ")
    page.keyboard.press("Tab")  # leaving the field fires "change"
    hint = page.locator("#duplicate-hint")
    hint.get_by_role("link", name="José Núñez").wait_for()
    expect(hint).to_contain_text("Same name")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/duplicates-hint.png", full_page=True)
    # The hint does not block the save.
    page.get_by_role("button", name="Create contact").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 likely duplicate")).to_be_visible()

    page.get_by_role("link", name="Duplicates", exact=True).click()
    page.get_by_role("button", name="Scan now").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 pair")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/duplicates.png", full_page=True)
    page.get_by_role("link", name=f"Compare {existing.full_name} and").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Compare")).to_be_visible()
    assert page.locator(".compare__differs").count() >= 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/duplicates-compare.png", full_page=True)
    assert page.csp_errors == []
