"""Contacts in a real browser, under the strict Content-Security-Policy: create, search
as you type, edit; tags in place; bulk actions; the timeline's note, call and task
forms and completing a task; another account's contact is a 404."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from contacts.models import Contact
from notes.models import Note
from tests.browser.conftest import PHONE, sign_in
from tests.factories import ContactFactory, ContactTagFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_search_and_edit_a_contact(signed_in, owner):
    page = signed_in
    ContactFactory(account=owner.account, first_name="Alan", last_name="Turing")
    page.goto("/contacts/")
    page.get_by_role("link", name="New contact").click()

    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    # Validation on blur: a bad email is flagged before the form is sent.
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Email").press("Tab")
    expect(page.locator("#id_email_error")).to_contain_text("valid email")
    page.get_by_label("Email").fill("Grace@Navy.MIL")
    page.get_by_label("Phone").fill("(415) 555-0100")
    page.get_by_label("Tags").fill("vip, navy")
    page.get_by_role("button", name="Create contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    grace = Contact.objects.for_account(owner.account).get(first_name="Grace")
    assert grace.email == "grace@navy.mil" and str(grace.phone) == "+14155550100"
    assert sorted(t.name for t in grace.tags.all()) == ["navy", "vip"]

    # Instant search: typing narrows the list without a page load, and the URL follows.
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    expect(page.get_by_role("link", name="Alan Turing")).to_be_visible()
    page.get_by_label("Search contacts").press_sequentially("hop", delay=30)
    expect(page.get_by_role("link", name="Alan Turing")).to_have_count(0)
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?search=hop$"))
    expect(page.locator("#contact-count")).to_contain_text("1 contact")

    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("link", name="Edit", exact=True).first.click()
    page.get_by_label("Job title").fill("Rear Admiral")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    expect(page.locator(".page-header")).to_contain_text("Rear Admiral")
    assert page.csp_errors == []


def test_add_a_note_log_a_call_add_a_task_and_complete_it(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")
    page.goto(f"/contacts/{contact.pk}/")
    timeline = page.locator(f"#timeline-contact-{contact.pk}")

    page.get_by_role("tab", name="Add a note").click()
    note = page.get_by_role("textbox", name="Note", exact=True)
    note.fill("Interested in the analytical engine.")
    page.get_by_role("button", name="Add note").click()
    expect(timeline.locator(".timeline__item").first).to_contain_text(
        "Interested in the analytical engine."
    )
    expect(page.locator("#toast")).to_have_text("Note added")

    page.get_by_role("tab", name="Log a call").click()
    page.get_by_text("Inbound", exact=True).click()
    page.get_by_label("Call summary").fill("She called back about pricing.")
    page.get_by_role("button", name="Log call").click()
    expect(timeline.locator(".timeline__item").first).to_contain_text("Inbound call")

    page.get_by_role("tab", name="Add a task").click()
    page.get_by_role("textbox", name="Task", exact=True).fill("Send the contract")
    page.get_by_role("textbox", name="Due").fill("2030-01-15T09:30")
    page.get_by_role("button", name="Add task").click()
    entry = timeline.locator(".timeline__item", has_text="Send the contract")
    expect(entry).to_contain_text("Jan 15, 2030, 09:30")
    expect(entry.locator(".badge")).to_have_text("Pending")

    entry.get_by_role("button", name="Complete").click()
    expect(entry.locator(".badge")).to_have_text("Completed")
    expect(entry.get_by_role("button", name="Complete")).to_have_count(0)

    task = Activity.objects.for_account(owner.account).get()
    assert task.status == "completed" and task.contact_id == contact.pk
    kinds = sorted(Note.objects.for_account(owner.account).values_list("kind", "direction"))
    assert kinds == [("call", "inbound"), ("note", None)]
    assert page.csp_errors == []


def test_an_empty_note_is_explained_in_place(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account)
    page.goto(f"/contacts/{contact.pk}/?log=note")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("alert").first).to_contain_text("required")
    assert not Note.objects.for_account(owner.account).exists()
    assert page.csp_errors == []


def test_tags_are_added_and_removed_in_place(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account)
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_label("Add a tag").fill("champion")
    page.get_by_label("Add a tag").press("Enter")
    tags = page.locator("#contact-tags")
    expect(tags.locator(".tag")).to_have_text(["champion ×"])
    expect(page.get_by_label("Add a tag")).to_be_focused()
    tags.get_by_role("button", name="Remove tag champion").click()
    expect(tags.locator(".tag")).to_have_count(0)
    assert not contact.tags.exists()
    assert page.csp_errors == []


def test_select_contacts_then_tag_assign_and_delete_them(signed_in, owner, teammate):
    page = signed_in
    a = ContactFactory(account=owner.account, first_name="Anna", last_name="A")
    b = ContactFactory(account=owner.account, first_name="Bert", last_name="B")
    keep = ContactFactory(account=owner.account, first_name="Carl", last_name="C")
    page.goto("/contacts/")
    bar = page.locator("[data-selection-bar]")
    expect(bar).to_be_hidden()
    page.get_by_label("Select Anna A").check()
    page.get_by_label("Select Bert B").check()
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("2 selected")

    page.get_by_label("Tag to add").fill("conference")
    bar.get_by_role("button", name="Add tag").click()
    expect(page.locator(".flash")).to_contain_text("Tagged 2 contacts")
    assert {c.pk for c in Contact.objects.for_account(owner.account).with_tags(["conference"])} == {
        a.pk,
        b.pk,
    }

    page.get_by_label("Select Anna A").check()
    page.get_by_label("New owner").select_option(str(teammate.user.pk))
    bar.get_by_role("button", name="Assign").click()
    expect(page.locator(".flash")).to_contain_text("Assigned 1 contact")

    page.get_by_label("Select all contacts on this page").check()
    page.get_by_label("Select Carl C").uncheck()
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    bar.get_by_role("button", name="Delete").click()
    expect(page.locator(".flash")).to_contain_text("Deleted 2 contacts")
    assert messages and messages[0].startswith("Delete 2 contacts?")
    assert list(Contact.objects.for_account(owner.account)) == [keep]
    assert page.csp_errors == []


def test_declining_the_confirmation_deletes_nothing(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account, first_name="Stay")
    page.goto(f"/contacts/{contact.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(".page-header").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stay")
    assert Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()


def test_filters_and_pages_work_from_the_keyboard(signed_in, owner):
    page = signed_in
    vip = TagFactory(account=owner.account, name="vip")
    for i in range(27):
        contact = ContactFactory(
            account=owner.account, first_name=f"Person{i:02d}", last_name="Keyboard"
        )
        if i < 3:
            ContactTagFactory(contact=contact, tag=vip, account=owner.account)
    page.goto("/contacts/")
    expect(page.locator(".pagination")).to_contain_text("Showing 1–25 of 27")
    page.get_by_role("link", name="Next →").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".pagination")).to_contain_text("Showing 26–27 of 27")
    page.get_by_label("Tag", exact=True).select_option("vip")
    expect(page.locator("#contact-count")).to_contain_text("3 contacts")
    expect(page).to_have_url(re.compile(r"tag=vip"))
    # Enter in the search box refreshes the results in place: no page load.
    page.evaluate("window.stillHere = true")
    page.keyboard.press("/")
    expect(page.get_by_label("Search contacts")).to_be_focused()
    page.keyboard.type("person00")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-count")).to_contain_text("1 contact")
    expect(page).to_have_url(re.compile(r"\?search=person00&tag=vip$"))
    assert page.evaluate("window.stillHere") is True
    assert page.csp_errors == []


def test_the_pages_fit_a_phone_screen(signed_in, owner):
    page = signed_in
    page.set_viewport_size(PHONE)
    contact = ContactFactory(
        account=owner.account,
        first_name="Narrow",
        email="a.rather.long.address@subdomain.example.com",
    )
    for path in ("/contacts/", f"/contacts/{contact.pk}/", "/contacts/new/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    assert page.csp_errors == []


def test_another_accounts_contact_is_a_404(page, owner, outsider):
    contact = ContactFactory(account=owner.account)
    sign_in(page, outsider.user.username)
    for path in (f"/contacts/{contact.pk}/", f"/contacts/{contact.pk}/edit/"):
        response = page.goto(path)
        assert response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
