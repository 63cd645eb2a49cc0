"""Logging an email in a real browser, under the strict Content-Security-Policy: an
.eml file dropped on a contact's timeline (web/static/web/email_drop.js), the same file
chosen with the file input (the keyboard's way), and a malformed file explained."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from notes.models import Note
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)
EMAILS = Path(__file__).parent.parent / "fixtures" / "emails"


def drop_file(page, target, name):
    """Drop `name` from tests/fixtures/emails on `target`, as a file from the desktop."""
    data = list((EMAILS / name).read_bytes())
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "message/rfc822"}));
            return transfer;
        }""",
        [name, data],
    )
    target.dispatch_event("dragenter", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def test_an_eml_dropped_on_a_contact_is_logged(signed_in, owner):
    page = signed_in
    ann = ContactFactory(account=owner.account, first_name="Ann", email="ann@acme.example")
    page.goto(f"/contacts/{ann.pk}/")
    page.get_by_role("tab", name="Log an email").click()
    zone = page.locator("[data-email-drop]")
    expect(zone).to_contain_text("not stored")

    drop_file(page, zone, "attachments.eml")

    timeline = page.locator(f"#timeline-contact-{ann.pk}")
    entry = timeline.locator(".timeline__item").first
    expect(entry).to_contain_text("Contract and forwarded thread")
    expect(entry).to_contain_text("Inbound email")
    expect(entry).to_contain_text("contract.pdf")
    expect(entry).to_contain_text("Attachments are listed, not stored")
    expect(page.locator("#toast")).to_have_text("Email logged")
    note = Note.objects.for_account(owner.account).get()
    assert (note.kind, note.contact_id, note.direction) == ("email", ann.pk, "inbound")
    assert [a["name"] for a in note.attachments][0] == "contract.pdf"
    assert page.csp_errors == []


def test_the_file_input_logs_an_email_without_dragging(signed_in, owner):
    page = signed_in
    ann = ContactFactory(account=owner.account, email="ann@acme.example")
    page.goto(f"/contacts/{ann.pk}/?log=email")
    page.get_by_label("Email file (.eml)").set_input_files(str(EMAILS / "text_only_outgoing.eml"))
    page.get_by_role("button", name="Log email").click()
    entry = page.locator(f"#timeline-contact-{ann.pk} .timeline__item").first
    expect(entry).to_contain_text("Outbound email")
    expect(entry).to_contain_text("Proposal attached")
    assert page.csp_errors == []


def test_a_dropped_file_that_is_no_email_is_explained(signed_in, owner):
    page = signed_in
    ann = ContactFactory(account=owner.account)
    page.goto(f"/contacts/{ann.pk}/?log=email")
    drop_file(page, page.locator("[data-email-drop]"), "not_an_email.txt")
    expect(page.get_by_role("alert").first).to_contain_text("This is not an email message")
    assert not Note.objects.for_account(owner.account).exists()
    assert page.csp_errors == []
