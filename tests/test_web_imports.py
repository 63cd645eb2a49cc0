"""The CSV import pages: upload, columns, check, import, cancel; tenancy and query counts."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from contacts.imports import guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from tests.factories import ContactFactory
from tests.queries import assert_same_count, capture_queries
from web.imports.views import ImportDetailView

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = ContactImport.Status
UPLOAD = reverse("web:contacts-import")
HEADER = "First name,Last name,Email,Tags\n"
GOOD = HEADER + "Ada,Lovelace,ada@example.com,vip\nGrace,Hopper,grace@example.com,\n"
BAD = HEADER + "Ada,Lovelace,ada@example.com,vip\n,Hopper,not-an-email,\n"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Tasks run inside the request (the database queue is tested in test_contact_imports)."""
    settings.TASKS = IMMEDIATE


def browser(actor):
    client = Client()
    client.force_login(actor.user)
    return client


def upload(client, text, name="people.csv", url=UPLOAD):
    data = text if isinstance(text, bytes) else text.encode()
    return client.post(url, {"file": SimpleUploadedFile(name, data, "text/csv")})


def url(name, contact_import):
    return reverse(f"web:{name}", args=[contact_import.pk])


def make_import(actor, text=GOOD, status=Status.MAPPING, **fields):
    csv_file = read_csv(text.encode())
    return ContactImport.objects.create(
        account=actor.account,
        created_by=actor.user,
        file_name="people.csv",
        encoding=csv_file.encoding,
        delimiter=csv_file.delimiter,
        content=csv_file.text,
        headers=csv_file.headers,
        row_count=csv_file.row_count,
        mapping=guess_mapping(csv_file.headers),
        status=status,
        **fields,
    )


def the_import(actor):
    return ContactImport.objects.for_account(actor.account).get()


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def check(client, contact_import, on_duplicate="skip"):
    fields = {f"column_{i}": name for i, name in enumerate(contact_import.mapping)}
    return client.post(
        url("contacts-import-mapping", contact_import), fields | {"on_duplicate": on_duplicate}
    )


# -- upload -------------------------------------------------------------------------


def test_the_upload_page_has_a_form_with_csrf_and_an_empty_state(owner):
    response = browser(owner).get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "No imports yet" in html
    assert "<script>" not in html and "style=" not in html


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(UPLOAD)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_uploading_a_csv_guesses_the_columns_and_shows_a_preview(owner):
    client = browser(owner)
    response = upload(client, GOOD)
    contact_import = the_import(owner)
    assert response.status_code == 302
    assert response["Location"] == url("contacts-import-detail", contact_import)
    assert contact_import.mapping == ["first_name", "last_name", "email", "tags"]
    assert (contact_import.row_count, contact_import.created_by) == (2, owner.user)
    html = client.get(response["Location"]).content.decode()
    assert "Match your columns" in html and "Lovelace" in html and "Check 2 rows" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"First name\n", "no contacts below it"),
        (b"PK\x03\x04xlsx", "Excel workbook"),
        (b"\x00\x01\x02binary", "not a text file"),
        (("First name\n" + "Ada\n" * 50_001).encode(), "more than 50,000 contacts"),
    ],
)
def test_bad_files_get_a_clear_error_not_a_crash(owner, data, message):
    response = upload(browser(owner), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactImport.objects.for_account(owner.account).exists()


def test_a_file_over_the_size_limit_is_refused(owner, monkeypatch):
    monkeypatch.setattr("web.imports.forms.MAX_BYTES", 100)
    response = upload(browser(owner), "First name\n" + "Ada\n" * 100)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_posting_without_a_file_asks_for_one(owner):
    response = browser(owner).post(UPLOAD, {})
    assert response.status_code == 400
    assert "Choose a CSV file" in response.content.decode()


# -- columns and check ------------------------------------------------------------------


def test_the_columns_need_a_first_name(owner):
    contact_import = make_import(owner)
    response = browser(owner).post(
        url("contacts-import-mapping", contact_import),
        {"column_0": "", "column_2": "email", "on_duplicate": "skip"},
    )
    assert response.status_code == 400
    assert "Choose the column that holds the first name." in response.content.decode()
    contact_import.refresh_from_db()
    assert contact_import.status == Status.MAPPING


def test_a_valid_file_is_checked_and_ready_with_planned_counts(owner):
    ContactFactory(account=owner.account, email="ada@example.com")
    client = browser(owner)
    contact_import = make_import(owner)
    response = check(client, contact_import, on_duplicate="update")
    assert response.status_code == 302
    contact_import.refresh_from_db()
    assert contact_import.status == Status.READY
    assert (contact_import.created, contact_import.updated) == (1, 1)
    html = client.get(response["Location"]).content.decode()
    assert "All 2 rows are valid" in html and "Import 2 contacts" in html
    assert contacts(owner).count() == 1  # nothing written yet


def test_errors_are_shown_by_row_and_downloadable(owner):
    client = browser(owner)
    contact_import = make_import(owner, BAD)
    check(client, contact_import)
    contact_import.refresh_from_db()
    assert contact_import.status == Status.INVALID
    html = client.get(url("contacts-import-detail", contact_import)).content.decode()
    assert "Fix these rows" in html
    assert "First name: This field is required." in html
    assert "Email: Enter a valid email address." in html
    assert "Upload the fixed file" in html
    response = client.get(url("contacts-import-errors", contact_import))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    body = list(csv.reader(io.StringIO(text, newline="")))
    assert body[0] == ["First name", "Last name", "Email", "Tags", "error"]
    assert body[1][:4] == ["", "Hopper", "not-an-email", ""]
    assert len(body) == 2
    assert not contacts(owner).exists()


def test_uploading_a_fixed_file_with_the_same_columns_checks_it_again(owner):
    client = browser(owner)
    contact_import = make_import(owner, BAD)
    check(client, contact_import)
    response = upload(
        client, GOOD, name="people-fixed.csv", url=url("contacts-import-file", contact_import)
    )
    assert response.status_code == 302
    contact_import.refresh_from_db()
    assert (contact_import.status, contact_import.file_name) == (Status.READY, "people-fixed.csv")
    assert contact_import.errors == []


def test_a_fixed_file_with_other_columns_goes_back_to_matching(owner):
    client = browser(owner)
    contact_import = make_import(owner, BAD)
    check(client, contact_import)
    upload(
        client,
        "Email,First name\nada@example.com,Ada\n",
        url=url("contacts-import-file", contact_import),
    )
    contact_import.refresh_from_db()
    assert contact_import.status == Status.MAPPING
    assert contact_import.mapping == ["email", "first_name"]


def test_a_bad_fixed_file_keeps_the_import_as_it_was(owner):
    client = browser(owner)
    contact_import = make_import(owner, BAD)
    check(client, contact_import)
    response = upload(client, b"", url=url("contacts-import-file", contact_import))
    assert response.status_code == 302
    contact_import.refresh_from_db()
    assert contact_import.status == Status.INVALID
    assert "The file is empty" in client.get(response["Location"]).content.decode()


# -- import, cancel ---------------------------------------------------------------------


def test_importing_writes_every_row_and_ends_with_a_summary(owner):
    client = browser(owner)
    contact_import = make_import(owner)
    check(client, contact_import)
    response = client.post(url("contacts-import-start", contact_import))
    assert response.status_code == 302
    contact_import.refresh_from_db()
    assert contact_import.status == Status.DONE
    assert contact_import.content == ""
    assert sorted(contacts(owner).values_list("email", flat=True)) == [
        "ada@example.com",
        "grace@example.com",
    ]
    html = client.get(response["Location"]).content.decode()
    assert "Import finished" in html and 'href="/contacts/"' in html


def test_an_import_with_errors_cannot_be_started(owner):
    client = browser(owner)
    contact_import = make_import(owner, BAD)
    check(client, contact_import)
    client.post(url("contacts-import-start", contact_import))
    contact_import.refresh_from_db()
    assert contact_import.status == Status.INVALID
    assert not contacts(owner).exists()


def test_cancelling_writes_nothing_and_cannot_be_undone(owner):
    client = browser(owner)
    contact_import = make_import(owner)
    check(client, contact_import)
    client.post(url("contacts-import-cancel", contact_import))
    contact_import.refresh_from_db()
    assert contact_import.status == Status.CANCELLED
    assert contact_import.content == ""  # the file's text is not kept
    client.post(url("contacts-import-start", contact_import))
    check(client, contact_import)
    contact_import.refresh_from_db()
    assert contact_import.status == Status.CANCELLED
    assert not contacts(owner).exists()
    page = client.get(url("contacts-import-detail", contact_import))
    assert "was cancelled" in page.content.decode()


def test_a_finished_import_cannot_be_cancelled(owner):
    client = browser(owner)
    contact_import = make_import(owner, status=Status.DONE)
    response = client.post(url("contacts-import-cancel", contact_import), follow=True)
    assert "can no longer be cancelled" in response.content.decode()


def test_a_teammate_can_follow_an_import_of_the_same_account(owner, teammate):
    contact_import = make_import(owner)
    assert browser(teammate).get(url("contacts-import-detail", contact_import)).status_code == 200


# -- polling ----------------------------------------------------------------------------


def test_htmx_polls_get_only_the_state_and_polling_stops_when_done(owner):
    client = browser(owner)
    running = make_import(owner, status=Status.VALIDATING, processed=1)
    response = client.get(url("contacts-import-detail", running), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="import-state"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress class="import-progress" value="1" max="2"' in html
    assert "HX-Request" in response["Vary"]
    done = make_import(owner, status=Status.DONE, created=2)
    html = client.get(url("contacts-import-detail", done), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "Import finished" in html


# -- tenancy ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "name",
    [
        "contacts-import-detail",
        "contacts-import-mapping",
        "contacts-import-file",
        "contacts-import-start",
        "contacts-import-cancel",
        "contacts-import-errors",
    ],
)
def test_another_accounts_import_is_a_404_on_every_url(owner, outsider, name, method):
    contact_import = make_import(owner, BAD, status=Status.READY)
    response = getattr(browser(outsider), method)(url(name, contact_import))
    assert response.status_code == 404
    contact_import.refresh_from_db()
    assert contact_import.status == Status.READY
    assert not ContactImport.objects.for_account(outsider.account).exists()


def test_a_wrong_method_on_ones_own_import_is_a_405(owner):
    contact_import = make_import(owner)
    assert browser(owner).get(url("contacts-import-start", contact_import)).status_code == 405


def test_another_accounts_imports_are_not_listed(owner, outsider):
    make_import(owner)
    html = browser(outsider).get(UPLOAD).content.decode()
    assert "people.csv" not in html and "No imports yet" in html


# -- constant queries -------------------------------------------------------------------


def count_queries(client, path):
    with capture_queries() as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return ctx


def test_the_upload_page_costs_the_same_with_more_imports(owner, teammate):
    client = browser(owner)
    make_import(owner)
    few = count_queries(client, UPLOAD)
    for _ in range(6):
        make_import(teammate)
    assert_same_count(few, count_queries(client, UPLOAD))


@pytest.mark.parametrize(
    "status",
    [
        Status.MAPPING,
        Status.VALIDATING,
        Status.INVALID,
        Status.READY,
        Status.IMPORTING,
        Status.DONE,
    ],
)
def test_each_step_costs_the_same_for_a_small_and_a_big_file(owner, status):
    client = browser(owner)

    def queries(n):
        text = "First name,Email\n" + "".join(f"P{i},bad{i}\n" for i in range(n))
        contact_import = make_import(owner, text, status=status)
        if status == Status.INVALID:
            contact_import.errors = [{"row": i + 2, "messages": ["bad"]} for i in range(n)]
            contact_import.error_count = n
            contact_import.save()
        return count_queries(client, url("contacts-import-detail", contact_import))

    assert_same_count(queries(2), queries(300))


def test_the_column_page_and_the_failed_rows_cost_the_same_for_any_size(owner):
    client = browser(owner)

    def queries(n):
        text = "First name,Email\n" + "".join(f"P{i},bad{i}\n" for i in range(n))
        contact_import = make_import(
            owner,
            text,
            status=Status.INVALID,
            error_count=n,
            errors=[{"row": i + 2, "messages": ["x"]} for i in range(n)],
        )
        mapping = count_queries(client, url("contacts-import-mapping", contact_import))
        with capture_queries() as ctx:
            response = client.get(url("contacts-import-errors", contact_import))
            b"".join(response.streaming_content)
        return mapping, ctx

    for small, large in zip(queries(2), queries(300), strict=True):
        assert_same_count(small, large)


def test_a_check_nobody_started_says_the_worker_may_be_down(owner):
    contact_import = make_import(owner, status=Status.VALIDATING)
    page = browser(owner).get(url("contacts-import-detail", contact_import)).content.decode()
    assert "Waiting for the background worker" not in page
    ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk).update(
        updated_at=contact_import.updated_at - datetime.timedelta(minutes=1)
    )
    page = browser(owner).get(url("contacts-import-detail", contact_import)).content.decode()
    assert "Waiting for the background worker" in page


def test_a_poll_that_finds_the_database_locked_changes_nothing(owner, monkeypatch):
    contact_import = make_import(owner, status=Status.IMPORTING)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ImportDetailView, "get", locked)
    client = browser(owner)
    poll = client.get(url("contacts-import-detail", contact_import), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204
    assert client.get(url("contacts-import-detail", contact_import)).status_code == 503


def test_the_example_file_is_a_csv_the_import_understands(owner):
    response = browser(owner).get(reverse("web:contacts-import-example"))
    assert response["Content-Disposition"] == 'attachment; filename="contacts-example.csv"'
    csv_file = read_csv(response.content)
    assert "" not in guess_mapping(csv_file.headers)
