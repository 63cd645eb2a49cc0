"""Custom fields in a real browser: an owner defines a select field on the settings
page, fills it on a contact, filters the contacts list by it (and shows it as a
column), exports the list as CSV and imports that file back: the value survives.

With SCREENSHOTS=1 it also writes screenshots/custom-fields-*.png at 1366 and 390 px
wide, light and dark (screenshots/ is not committed)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from customfields.models import CustomFieldDefinition
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SIZES = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE  # the import's check and write run inside the request


def shoot(page, name):
    """Screenshots of the current page in both widths and colour schemes, when asked."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(exist_ok=True)
    # Playwright's screenshots inject a style of their own (hiding the caret), which the
    # page's CSP refuses: not the page's fault, so not counted.
    csp_errors = list(page.csp_errors)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(
                path=SHOTS / f"custom-fields-{name}-{size}-{scheme}.png", full_page=True
            )
    page.set_viewport_size(SIZES["1366"])
    page.emulate_media(color_scheme="light")
    page.wait_for_timeout(100)  # the console reports arrive after the screenshot
    page.csp_errors[:] = csp_errors


def test_a_select_field_from_definition_to_csv_and_back(signed_in, owner):
    page = signed_in
    main = page.get_by_role("main")
    ada = ContactFactory(
        account=owner.account, first_name="Ada", last_name="Lovelace", email="ada@example.com"
    )
    ContactFactory(
        account=owner.account, first_name="Bob", last_name="Byte", email="bob@example.com"
    )

    # Define the field.
    page.goto("/settings/fields/")
    expect(main.get_by_role("heading", name="Custom fields", exact=True)).to_be_visible()
    main.get_by_role("link", name="New field", exact=True).click()
    main.get_by_role("combobox", name="Record type", exact=True).select_option("contact")
    main.get_by_role("combobox", name="Type", exact=True).select_option("select")
    main.get_by_role("textbox", name="Label", exact=True).fill("Lead source")
    main.get_by_role("textbox", name="Key", exact=True).fill("source")
    main.get_by_role("textbox", name="Options", exact=True).fill("web\nreferral\nevent")
    shoot(page, "new")
    main.get_by_role("button", name="Create field", exact=True).click()
    expect(page.get_by_text("Added the custom field “Lead source”.")).to_be_visible()
    row = main.get_by_role("row").filter(has_text="Lead source")
    expect(row).to_contain_text("web, referral, event")
    shoot(page, "settings")
    assert CustomFieldDefinition.objects.for_account(owner.account).get().key == "source"

    # Fill it on a contact.
    page.goto(f"/contacts/{ada.pk}/edit/")
    main.get_by_role("combobox", name="Lead source", exact=True).select_option("referral")
    shoot(page, "form")
    main.get_by_role("button", name="Save changes", exact=True).click()
    page.wait_for_url(f"**/contacts/{ada.pk}/")
    details = main.locator("dl.details")
    expect(details).to_contain_text("Lead source")
    expect(
        details.locator("dt", has_text="Lead source").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("referral")
    shoot(page, "contact")

    # Filter the list by it, and show it as a column.
    page.goto("/contacts/")
    main.get_by_text("Custom field filters", exact=True).click()
    main.get_by_role("combobox", name="Lead source", exact=True).select_option("referral")
    main.get_by_role("button", name="Apply filters", exact=True).click()
    page.wait_for_url(lambda url: "cf_source=referral" in url)
    expect(main.get_by_role("link", name="Ada Lovelace", exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="Bob Byte", exact=True)).to_have_count(0)
    main.get_by_text("Columns", exact=True).click()
    main.get_by_role("checkbox", name="Lead source", exact=True).check()
    main.get_by_role("button", name="Show columns", exact=True).click()
    expect(main.get_by_role("columnheader", name="Lead source", exact=True)).to_be_visible()
    expect(main.get_by_role("cell", name="referral", exact=True)).to_be_visible()
    shoot(page, "list")

    # Export the list (filtered: Ada only), then import the file back.
    with page.expect_download() as download:
        main.get_by_role("link", name="Export CSV", exact=True).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, first = exported.splitlines()[:2]
    assert header.endswith('"source"') and first.endswith('"referral"')
    Contact.objects.for_account(owner.account).filter(pk=ada.pk).delete()

    page.goto("/imports/contacts/")
    page.get_by_label("CSV file", exact=True).set_input_files(
        {"name": "contacts.csv", "mimeType": "text/csv", "buffer": exported.encode()}
    )
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role("heading", name="Match your columns to contact fields").wait_for()
    expect(main.get_by_label("source", exact=True)).to_have_value("cf_source")
    shoot(page, "import-columns")
    page.get_by_label("Update the existing contact").check()
    page.get_by_role("button", name="Check 1 row", exact=True).click()
    page.get_by_role("heading", name="All 1 row are valid").wait_for()
    page.get_by_role("button", name="Import 1 contact", exact=True).click()
    page.get_by_role("heading", name="Import finished").wait_for()

    back = Contact.objects.for_account(owner.account).get(email="ada@example.com")
    assert back.custom_fields == {"source": "referral"}
    assert page.csp_errors == []
