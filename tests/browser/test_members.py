"""Adding a teammate in a real browser: the owner invites them from the settings, the
teammate opens the one-time link in a browser of their own, sets a password, is signed
in, and can sign in again with it. Under the CSP, by role-and-name locators.

With SCREENSHOT_DIR set, the settings pages are photographed at desktop and phone
widths in the light and the dark scheme."""

import os
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, User
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.conftest import make_actor

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR")
PASSWORD = "Corr3ct-Horse-Battery"


def invite_teammate(page) -> str:
    """From the dashboard to the one-time link, as an owner would click; the link."""
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Settings", exact=True).click()
    page.wait_for_url("**/settings/")
    main = page.get_by_role("main")
    main.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Members", exact=True
    ).click()
    page.wait_for_url("**/settings/members/")
    page.get_by_role("main").get_by_role("link", name="Add a teammate", exact=True).click()
    page.wait_for_url("**/settings/members/new/")
    main = page.get_by_role("main")
    main.get_by_label("Username").fill("nia")
    main.get_by_label("First name").fill("Nia")
    main.get_by_label("Last name").fill("Okafor")
    main.get_by_label("Email").fill("nia@example.com")
    main.get_by_label("Role").select_option("member")
    main.get_by_role("button", name="Add teammate", exact=True).click()
    page.wait_for_url("**/settings/members/new/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Nia Okafor is added")).to_be_visible()
    return main.get_by_label("Link for nia").input_value()


def test_an_owner_invites_a_teammate_who_sets_a_password_and_signs_in(
    browser, live_server, signed_in, owner
):
    link = invite_teammate(signed_in)
    assert link.startswith(live_server.url + "/welcome/")
    assert signed_in.csp_errors == []

    # The teammate, in a browser of their own.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(10_000)
    teammate = context.new_page()
    errors = []
    teammate.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else 0)
    teammate.goto(link)
    main = teammate.get_by_role("main")
    expect(main.get_by_role("heading", name="Set your password")).to_be_visible()
    # The label ends with the required marker: "New password *".
    main.get_by_label(re.compile(r"^New password\W*$")).fill(PASSWORD)
    main.get_by_label("New password confirmation").fill(PASSWORD)
    main.get_by_role("button", name="Set password and sign in").click()
    teammate.wait_for_url(live_server.url + "/")
    expect(teammate.get_by_role("main").get_by_text("Your password is set")).to_be_visible()
    assert User.objects.get(username="nia").has_usable_password()
    # Used once: the link now says so.
    teammate.goto(link)
    expect(teammate.get_by_role("heading", name="This link does not work")).to_be_visible()
    context.close()
    assert errors == []

    # And the password signs them in from yet another browser.
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    again = context.new_page()
    sign_in(again, "nia", PASSWORD)
    expect(again.get_by_role("heading", level=1)).to_have_text(re.compile(r"Nia$"))
    context.close()

    # The owner's members list shows the teammate as active now.
    signed_in.goto("/settings/members/")
    row = signed_in.get_by_role("main").get_by_role("row").filter(has_text="Nia Okafor")
    expect(row.get_by_text("Active", exact=True)).to_be_visible()


def test_the_last_owner_cannot_step_down_in_the_browser(signed_in, owner, teammate):
    page = signed_in
    page.goto("/settings/members/")
    me = owner.user.get_full_name()
    main = page.get_by_role("main")
    main.get_by_label(f"Role of {me}").select_option("member")
    main.get_by_role("button", name=f"Change role of {me}", exact=True).click()
    expect(page.get_by_role("main").get_by_text("last active owner")).to_be_visible()
    assert Membership.objects.get(user=owner.user).role == "owner"
    # Removing asks first, in a disclosure opened by keyboard.
    summary = page.get_by_role("main").get_by_text(f"Remove… {teammate.user.get_full_name()}")
    summary.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name=f"Remove {teammate.user.get_full_name()}").click()
    page.wait_for_url("**/settings/members/")
    assert not Membership.objects.filter(user=teammate.user).exists()
    assert page.csp_errors == []


@pytest.mark.skipif(not SHOTS, reason="set SCREENSHOT_DIR to look at the pages")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_of_the_settings_pages(browser, live_server, owner, teammate, scheme, size):
    from accounts.services import membership_invite

    membership_invite(account=owner.account, username="ivy", first_name="Ivy", role="admin")
    off = make_actor(owner.account, username="sid", first_name="Sid", last_name="Off")
    User.objects.filter(pk=off.user.pk).update(is_active=False)  # sign-in disabled
    context = browser.new_context(viewport=size, base_url=live_server.url, color_scheme=scheme)
    page = context.new_page()
    sign_in(page, owner.user.username)
    name = f"{scheme}-{size['width']}"
    for slug, path in [
        ("dashboard-new", "/"),
        ("settings", "/settings/"),
        ("account", "/settings/account/"),
        ("members", "/settings/members/"),
        ("invite", "/settings/members/new/"),
    ]:
        page.goto(path)
        page.screenshot(path=f"{SHOTS}/{slug}-{name}.png", full_page=True)
    page.goto("/settings/members/new/")
    page.get_by_label("Username").fill(f"shot{scheme}{size['width']}")
    page.get_by_role("button", name="Add teammate").click()
    page.screenshot(path=f"{SHOTS}/link-{name}.png", full_page=True)
    link = page.get_by_role("main").get_by_role("textbox").input_value()
    fresh = browser.new_context(viewport=size, base_url=live_server.url, color_scheme=scheme)
    welcome = fresh.new_page()
    welcome.goto(link)
    welcome.screenshot(path=f"{SHOTS}/set-password-{name}.png", full_page=True)
    fresh.close()
    context.close()
