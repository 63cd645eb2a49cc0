"""The search-as-you-type pickers (web/static/web/picker.js) in a real browser: picking
by keyboard alone, creating a company inline from the deal form, axe on an open
combobox, and screenshots at desktop and phone width in both colour schemes."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from events.models import Event
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.browser.test_accessibility import AXE, serious_violations
from tests.factories import CompanyFactory, ContactFactory, PipelineFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))


@pytest.fixture
def sales(owner):
    PipelineFactory(account=owner.account, name="Sales")
    CompanyFactory(account=owner.account, name="Initech")
    CompanyFactory(account=owner.account, name="Initrode")
    CompanyFactory(account=owner.account, name="Globex")
    ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")


def company_combobox(page):
    return page.get_by_role("main").get_by_role("combobox", name="Company", exact=True)


def test_a_company_is_picked_by_typing_and_the_keyboard_alone(signed_in, sales, owner):
    page = signed_in
    page.goto("/deals/new/")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name="Title").fill("Printers")
    combobox = company_combobox(page)
    combobox.focus()
    page.keyboard.type("init")
    listbox = main.get_by_role("listbox", name="Company")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)  # Initech, Initrode, and "Create new company"
    expect(main.get_by_role("status").filter(has_text="2 results")).to_have_count(1)
    # The first option is active; Down moves to the second, End to the last, Home back.
    expect(combobox).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks Initrode, does not submit the form
    expect(combobox).to_have_value("Initrode")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith("/deals/new/")
    # Escape closes an open list and keeps the choice.
    page.keyboard.type("x")
    expect(listbox).to_be_visible()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("Initrode")
    page.keyboard.press("Tab")
    main.get_by_role("button", name="Create deal").press("Enter")
    page.wait_for_url(lambda url: "/deals/new/" not in url)
    deal = Deal.objects.for_account(owner.account).get()
    assert deal.company.name == "Initrode"


def test_a_company_is_created_inline_from_the_deal_form(signed_in, sales, owner):
    page = signed_in
    page.goto("/deals/new/")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name="Title").fill("Staplers")
    combobox = company_combobox(page)
    combobox.focus()
    page.keyboard.type("Vandelay Industries")
    create = main.get_by_role("option", name="Create new company “Vandelay Industries”")
    expect(create).to_be_visible()
    expect(create).to_have_attribute("aria-selected", "true")  # the only option
    page.keyboard.press("Enter")
    expect(combobox).to_have_value("Vandelay Industries")
    expect(main.get_by_role("status").filter(has_text="Created company")).to_have_count(1)
    company = Company.objects.for_account(owner.account).get(name="Vandelay Industries")
    assert (
        Event.objects.for_account(owner.account)
        .filter(type="company.created", record_id=company.pk)
        .exists()
    )
    assert page.url.endswith("/deals/new/")  # never left the form
    main.get_by_role("button", name="Create deal").click()
    page.wait_for_url(lambda url: "/deals/new/" not in url)
    assert Deal.objects.for_account(owner.account).get().company_id == company.pk


def test_a_name_the_server_refuses_is_shown_inline(signed_in, sales, owner):
    page = signed_in
    page.goto("/deals/new/")
    main = page.get_by_role("main")
    combobox = main.get_by_role("combobox", name="Contact", exact=True)
    combobox.focus()
    page.keyboard.type("Ann " + "x" * 150)  # a last name of 150 characters: refused
    expect(main.get_by_role("option", name="Create new contact", exact=False)).to_be_visible()
    page.keyboard.press("Enter")
    expect(main.get_by_role("alert").filter(has_text="at most 100 characters")).to_be_visible()
    expect(combobox).to_have_attribute("aria-invalid", "true")
    expect(combobox).to_be_focused()
    assert not Contact.objects.for_account(owner.account).filter(first_name="Ann").exists()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_open_combobox_has_no_serious_accessibility_violation(
    browser, live_server, owner, sales, scheme
):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, color_scheme=scheme)
    context.set_default_timeout(15_000)
    context.add_init_script(AXE.read_text())
    page = context.new_page()
    csp = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security" in msg.text else None)
    sign_in(page, owner.user.username)
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto("/deals/new/")
        combobox = company_combobox(page)
        combobox.focus()
        page.keyboard.type("ini")
        expect(page.get_by_role("main").get_by_role("listbox")).to_be_visible()
        page.keyboard.press("ArrowDown")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"picker-{width}-{scheme}.png")
        box = page.get_by_role("main").get_by_role("listbox").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # no overflow
        assert serious_violations(page) == []
    assert csp == []
    context.close()


def test_a_field_that_validates_itself_keeps_the_pick_and_the_focus(signed_in, sales, owner):
    """The contact form checks each field over htmx on change, swapping it for the
    server's copy: the pick survives and the keyboard stays in the field."""
    page = signed_in
    page.goto("/contacts/new/")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name="First name").fill("Bea")
    combobox = company_combobox(page)
    combobox.focus()
    page.keyboard.type("globex")
    expect(main.get_by_role("option", name="Globex", exact=False)).to_have_attribute(
        "aria-selected", "true"
    )
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # htmx settles
    expect(company_combobox(page)).to_have_value("Globex")
    expect(company_combobox(page)).to_be_focused()
    main.get_by_role("button", name="Create contact").click()
    page.wait_for_url(lambda url: "/contacts/new/" not in url)
    contact = Contact.objects.for_account(owner.account).get(first_name="Bea")
    assert contact.company.name == "Globex"
