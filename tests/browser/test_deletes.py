"""Deletes beyond contacts in a real browser, under the strict Content-Security-Policy:
a company from its page (confirm page, Undo, back with its contacts linked), a note
from the notes list (the row leaves in place, the Undo shows on the same page), and
"Delete selected" on the deals list."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from notes.models import Note
from tests.factories import CompanyFactory, ContactFactory, DealFactory, NoteFactory

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))


def test_delete_a_company_from_its_page_then_undo_links_its_contacts_again(signed_in, owner):
    page = signed_in
    acme = CompanyFactory(account=owner.account, name="Acme Rockets")
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee", company=acme)
    page.goto(f"/companies/{acme.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Acme Rockets?")
    expect(page.get_by_text("1 contact, 0 subsidiaries, 0 deals stay")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "delete-company-confirm.png")
    page.get_by_role("button", name="Delete company").click()
    page.wait_for_url("**/companies/")
    message = (
        page.get_by_role("main").get_by_role("status").filter(has_text="Deleted Acme Rockets.")
    )
    expect(message).to_be_visible()
    assert not Company.objects.for_account(owner.account).filter(pk=acme.pk).exists()
    assert Contact.objects.for_account(owner.account).get(pk=ann.pk).company_id is None

    message.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Rockets")
    expect(page.get_by_role("link", name="Ann Lee")).to_be_visible()
    assert Contact.objects.for_account(owner.account).get(pk=ann.pk).company_id == acme.pk
    assert page.csp_errors == []


def test_delete_a_note_in_place_then_undo(signed_in, owner):
    page = signed_in
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    note = NoteFactory(account=owner.account, contact=ann, body="<p>Wants a demo</p>")
    NoteFactory(account=owner.account, contact=ann, body="<p>Second thoughts</p>")
    page.goto("/notes/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Delete note “Wants a demo”").click()
    message = page.get_by_role("main").get_by_role("status").filter(has_text="Deleted the note.")
    expect(message).to_be_visible()
    expect(page.get_by_text("Wants a demo")).to_have_count(0)
    expect(page.get_by_text("Second thoughts")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('/notes/')[0]}/notes/")  # no reload
    undo = message.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()  # the row that had focus is gone
    page.screenshot(path=SCREENSHOTS / "delete-note-in-place.png")
    assert not Note.objects.for_account(owner.account).filter(pk=note.pk).exists()

    undo.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Lee")
    assert Note.objects.for_account(owner.account).get(pk=note.pk).contact_id == ann.pk
    assert page.csp_errors == []


def test_delete_selected_deals_then_undo(signed_in, owner, pipeline):
    page = signed_in
    deals = [DealFactory(pipeline=pipeline, title=f"Deal {n}") for n in range(3)]
    page.goto("/deals/")
    page.get_by_role("checkbox", name="Select Deal 0").check()
    page.get_by_role("checkbox", name="Select Deal 2").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Delete selected").click()
    page.wait_for_url("**/deals/")
    assert asked and asked[0].startswith("Delete 2 deals?")
    message = page.get_by_role("main").get_by_role("status").filter(has_text="Deleted 2 deals.")
    expect(message).to_be_visible()
    live = set(Deal.objects.for_account(owner.account).values_list("pk", flat=True))
    assert live == {deals[1].pk}

    message.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("Restored 2")
    assert Deal.objects.for_account(owner.account).count() == 3
    assert page.csp_errors == []
