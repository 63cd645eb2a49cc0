"""The trash in a real browser, under the strict Content-Security-Policy: delete a
contact, Undo it from the message; the message leaves by itself but not while focused;
restore from the trash page (one row, and a selection); screenshots of the page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from events.kinds import kind_named
from events.models import Source
from tests.browser.conftest import PHONE
from tests.factories import CompanyFactory, ContactFactory
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))


def delete_from_its_page(page, contact):
    page.goto(f"/contacts/{contact.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/contacts/")


def test_delete_a_contact_then_undo_from_the_message(signed_in, owner):
    page = signed_in
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    delete_from_its_page(page, ann)
    message = page.get_by_role("main").get_by_role("status").filter(has_text="Deleted Ann Lee.")
    expect(message).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "undo-message-desktop.png")
    assert not Contact.objects.for_account(owner.account).filter(pk=ann.pk).exists()

    message.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Lee")
    expect(page).to_have_url(f"{page.url.split('/contacts/')[0]}/contacts/{ann.pk}/")
    assert Contact.objects.for_account(owner.account).filter(pk=ann.pk).exists()
    assert page.csp_errors == []


def test_the_undo_message_leaves_after_ten_seconds_but_not_while_focused(signed_in, owner):
    page = signed_in
    page.clock.install()
    delete_from_its_page(page, ContactFactory(account=owner.account, first_name="Bo"))
    undo = page.get_by_role("button", name="Undo")
    undo.focus()
    page.clock.run_for(15_000)
    expect(undo).to_be_visible()  # focused: it stays (WCAG 2.2.1)
    page.locator("#contact-search").focus()  # focus leaves: the count starts again
    page.clock.run_for(5_000)
    expect(undo).to_be_visible()
    page.clock.run_for(6_000)
    expect(undo).to_have_count(0)
    expect(page.get_by_role("link", name="Trash")).to_be_visible()


def test_restore_from_the_trash_page(signed_in, owner):
    page = signed_in
    kind = kind_named("contact")
    people = [
        ContactFactory(account=owner.account, first_name=name, last_name="Trashed")
        for name in ("Ada", "Bea", "Cy")
    ]
    records_trash(kind, rows=people, by=owner.user, source=Source.UI)
    initech = CompanyFactory(account=owner.account, name="Initech")
    records_trash(kind_named("company"), rows=[initech], by=owner.user, source=Source.UI)

    page.get_by_role("link", name="Trash").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trash")
    page.get_by_role("button", name="Restore Ada Trashed").click()
    message = page.get_by_role("main").get_by_role("status")
    expect(message).to_contain_text("Restored Ada Trashed.")
    expect(message.get_by_role("link", name="Ada Trashed")).to_have_attribute(
        "href", f"/contacts/{people[0].pk}/"
    )

    page.get_by_label("Select Bea Trashed").check()
    page.get_by_label("Select Initech").check()
    expect(page.locator("[data-selection-count]")).to_have_text("2 selected")
    page.get_by_role("button", name="Restore selected").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("Restored 2:")
    remaining = TrashedRecord.objects.for_account(owner.account)
    assert list(remaining.values_list("record_id", flat=True)) == [people[2].pk]
    expect(page.get_by_role("cell", name="Cy Trashed", exact=True)).to_be_visible()
    assert page.csp_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots_of_the_trash_page(browser, live_server, owner, scheme, width):
    from tests.browser.conftest import DESKTOP, sign_in

    people = [ContactFactory(account=owner.account) for _ in range(6)]
    records_trash(kind_named("contact"), rows=people, by=owner.user, source=Source.UI)
    context = browser.new_context(
        viewport=DESKTOP if width == "desktop" else PHONE,
        base_url=live_server.url,
        color_scheme=scheme,
    )
    page = context.new_page()
    sign_in(page, owner.user.username)
    page.goto("/trash/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trash")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"trash-{width}-{scheme}.png", full_page=True)
    context.close()
