"""The CSV import in a real browser: an error, a fixed file, the import, the contacts.

The background tasks run on the immediate backend here (inside the request that
enqueues them): the live server's SQLite test database lives in memory and is shared
only with the server's thread, so a `db_worker` thread could not see it. The database
queue and its worker are tested in tests/test_contact_imports.py; the page's polling
is tested below by moving an import's progress from the test itself.
"""

import pytest
from playwright.sync_api import expect

from contacts.imports import guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADER = "First name,Last name,Email,Tags\n"
WITH_ERROR = HEADER + "Ada,Lovelace,ada@example.com,vip\nGrace,Hopper,grace@example,navy\n"
FIXED = HEADER + "Ada,Lovelace,ada@example.com,vip\nGrace,Hopper,grace@example.com,navy\n"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def csv_file(name, text):
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def upload_and_match(page, text):
    """Upload `text` as people.csv and wait for the column matcher."""
    page.goto("/imports/contacts/")
    page.get_by_label("CSV file", exact=True).set_input_files(csv_file("people.csv", text))
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role("heading", name="Match your columns to contact fields").wait_for()


def test_a_file_with_an_error_is_fixed_then_imported(signed_in, owner):
    page = signed_in
    page.goto("/imports/contacts/")
    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    page.get_by_label("CSV file", exact=True).set_input_files(csv_file("people.csv", WITH_ERROR))
    page.get_by_role("button", name="Upload and match columns").click()

    page.get_by_role("heading", name="Match your columns to contact fields").wait_for()
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    page.get_by_label("Update the existing contact").check()
    page.get_by_role("button", name="Check 2 rows").click()

    page.get_by_role("heading", name="Fix these rows").wait_for()
    errors = page.locator(".import-errors tbody tr")
    assert errors.count() == 1
    expect(errors.first.locator("td").first).to_contain_text("3")
    expect(errors.first).to_contain_text("Email: Enter a valid email address.")
    assert not Contact.objects.for_account(owner.account).exists()

    page.get_by_label("Fixed CSV file").set_input_files(csv_file("people-fixed.csv", FIXED))
    page.get_by_role("button", name="Upload and check again").click()
    page.get_by_role("heading", name="All 2 rows are valid").wait_for()
    page.get_by_role("button", name="Import 2 contacts").click()

    page.get_by_role("heading", name="Import finished").wait_for()
    expect(page.locator(".import-stats .stat__value").first).to_have_text("2")
    page.get_by_role("link", name="See your contacts").click()
    page.wait_for_url("**/contacts/")
    expect(page.get_by_text("Lovelace").first).to_be_visible()
    expect(page.get_by_text("Hopper").first).to_be_visible()
    assert Contact.objects.for_account(owner.account).count() == 2
    assert page.csp_errors == []


def test_the_page_follows_a_running_check_until_it_is_done(signed_in, owner):
    page = signed_in
    parsed = read_csv(("First name\n" + "Ada\n" * 40).encode())
    contact_import = ContactImport.objects.create(
        account=owner.account,
        created_by=owner.user,
        file_name="big.csv",
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        content=parsed.text,
        headers=parsed.headers,
        row_count=parsed.row_count,
        mapping=guess_mapping(parsed.headers),
        status=ContactImport.Status.VALIDATING,
    )
    page.goto(f"/imports/contacts/{contact_import.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    imports = ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk)
    imports.update(processed=20)
    expect(page.locator("progress")).to_have_attribute("value", "20")
    assert (
        "20 of 40 rows checked (50%)"
        in page.get_by_role("main").get_by_role("status").first.inner_text()
    )
    imports.update(status=ContactImport.Status.READY, processed=40, created=40)
    page.get_by_role("heading", name="All 40 rows are valid").wait_for()
    expect(page.locator("main [hx-trigger]")).to_have_count(0)  # polling stopped
    assert page.csp_errors == []


def test_cancelling_asks_first_and_writes_nothing(signed_in, owner):
    page = signed_in
    upload_and_match(page, FIXED)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel import").click()
    page.get_by_role("heading", name="This import was cancelled").wait_for()
    assert not Contact.objects.for_account(owner.account).exists()


def test_the_column_matcher_fits_a_phone(signed_in, owner):
    page = signed_in
    page.set_viewport_size(PHONE)
    page.goto("/imports/contacts/")
    page.get_by_label("CSV file", exact=True).set_input_files(csv_file("people.csv", FIXED))
    page.get_by_role("button", name="Upload and match columns").click()
    page.get_by_role("heading", name="Match your columns to contact fields").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_import_the_valid_rows_only_then_undo_the_import(signed_in, owner):
    page = signed_in
    upload_and_match(page, WITH_ERROR)
    page.get_by_label("Import the valid rows").check()
    page.get_by_role("button", name="Check 2 rows").click()

    page.get_by_role("heading", name="1 row with errors will be left out").wait_for()
    page.get_by_role("button", name="Import 1 contact").click()
    page.get_by_role("heading", name="Import finished").wait_for()
    expect(page.get_by_role("heading", name="1 row left out")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download failed rows (CSV)").click()
    assert download.value.suggested_filename == "failed-rows.csv"
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    assert list(Contact.objects.for_account(owner.account).values_list("email", flat=True)) == [
        "ada@example.com"
    ]

    page.get_by_role("link", name="Undo this import").click()
    page.get_by_role("heading", name="Undo this import?").wait_for()
    page.get_by_role("button", name="Undo this import").click()
    page.get_by_role("heading", name="Import undone").wait_for()
    status = page.get_by_role("main").get_by_role("status").first
    expect(status).to_contain_text("1 contact deleted")
    assert not Contact.objects.for_account(owner.account).exists()
    expect(page.get_by_role("link", name="Undo this import")).to_have_count(0)
    assert page.csp_errors == []
