"""The merge screen in a real browser, under the strict Content-Security-Policy:
choose by keyboard, merge, then undo from the message; and reached from the
duplicates page, as a rep finds a pair."""

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from tests.factories import ContactFactory, NoteFactory
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_merge_two_contacts_then_undo_the_merge(signed_in, owner):
    page = signed_in
    ada = ContactFactory(account=owner.account, first_name="Ada", last_name="", title="CTO")
    other = ContactFactory(
        account=owner.account, first_name="Ada", last_name="Lovelace", title="Countess"
    )
    NoteFactory.create_batch(2, account=owner.account, contact=other)
    page.goto(f"/merge/contacts/{ada.pk}/{other.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge two contacts")
    expect(page.locator("#merge-moves")).to_contain_text("2 notes")
    mine = page.get_by_role("radio", name="Title: keep CTO")
    expect(mine).to_be_checked()
    mine.focus()
    page.keyboard.press("ArrowDown")  # a radio group moves by arrow keys
    expect(page.get_by_role("radio", name="Title: keep Countess")).to_be_checked()
    page.get_by_role("button", name="Merge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    assert Contact.objects.for_account(owner.account).get(pk=ada.pk).title == "Countess"
    page.get_by_role("button", name="Undo", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Restored")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    assert Contact.objects.for_account(owner.account).get(pk=ada.pk).title == "CTO"
    assert not TrashedRecord.objects.for_account(owner.account).exists()
    assert page.csp_errors == []


def test_merge_from_the_duplicates_page(signed_in, owner):
    """Duplicates page → compare → merge screen → merged, by the links a rep follows."""
    page = signed_in
    ada = ContactFactory(
        account=owner.account, first_name="Ada", last_name="Lovelace", email="ada@navy.mil"
    )
    twin = ContactFactory(
        account=owner.account, first_name="ADA", last_name="lovelace", title="Countess", email=""
    )
    NoteFactory(account=owner.account, contact=twin)
    page.goto("/duplicates/")
    with page.expect_navigation():
        page.get_by_role("button", name="Scan now").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Compare Ada Lovelace and").click()
    with page.expect_navigation():
        page.get_by_role("link", name=f"Merge into Ada Lovelace (#{ada.pk})…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge two contacts")
    expect(page.locator("#merge-moves")).to_contain_text("1 note")
    page.get_by_role("button", name="Merge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    merged = Contact.objects.for_account(owner.account).get(pk=ada.pk)
    assert (merged.title, merged.email) == ("Countess", "ada@navy.mil")
    assert not Contact.objects.for_account(owner.account).filter(pk=twin.pk).exists()
    assert TrashedRecord.objects.for_account(owner.account).get(record_id=twin.pk).merge
    assert page.csp_errors == []
