"""The import's page once written: the valid-rows choice, the failed rows, what it
created and updated, and "Undo this import"; tenancy and query counts."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from contacts.imports import guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from tests.factories import ContactFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = ContactImport.Status
HEADER = "First name,Last name,Email,Company\n"
MIXED = HEADER + "Ada,Lovelace,ada@example.com,Acme\nGrace,Hopper,not-an-email,\n"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def browser(actor):
    client = Client()
    client.force_login(actor.user)
    return client


def url(name, contact_import):
    return reverse(f"web:{name}", args=[contact_import.pk])


def make_import(actor, text=MIXED):
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
    )


def check(client, contact_import, **choices):
    fields = {f"column_{i}": name for i, name in enumerate(contact_import.mapping)}
    return client.post(
        url("contacts-import-mapping", contact_import),
        fields | {"on_duplicate": "update"} | choices,
    )


def import_through_pages(client, contact_import, **choices):
    assert check(client, contact_import, **choices).status_code == 302
    assert client.post(url("contacts-import-start", contact_import)).status_code == 302
    contact_import.refresh_from_db()
    return contact_import


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def test_the_mapping_offers_the_valid_rows_and_new_companies(owner):
    html = browser(owner).get(url("contacts-import-detail", make_import(owner))).content.decode()
    assert "Import the valid rows, and give me the failed ones as a file" in html
    assert re.search(r'<input type="radio" name="mode" value="all"[^>]* checked', html)
    assert not re.search(r'name="create_companies"[^>]* checked', html)
    assert "Create companies that don&#x27;t exist yet" in html


def test_valid_rows_mode_imports_them_and_offers_the_failed_rows_file(owner):
    client = browser(owner)
    contact_import = import_through_pages(
        client, make_import(owner), mode="valid", create_companies="on"
    )
    assert contact_import.status == Status.DONE
    assert list(contacts(owner).values_list("email", flat=True)) == ["ada@example.com"]
    html = client.get(url("contacts-import-detail", contact_import)).content.decode()
    assert "1 row left out" in html and "1 new company created." in html
    response = client.get(url("contacts-import-errors", contact_import))
    assert response["Content-Disposition"] == 'attachment; filename="failed-rows.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    body = list(csv.reader(io.StringIO(text, newline="")))
    assert body[0] == ["First name", "Last name", "Email", "Company", "error"]
    assert body[1][:3] == ["Grace", "Hopper", "not-an-email"]
    assert "Email" in body[1][4]

    assert (
        client.post(url("contacts-import-dismiss-failed-rows", contact_import)).status_code == 302
    )
    assert client.get(url("contacts-import-errors", contact_import)).status_code == 404


def test_all_or_nothing_stays_the_default(owner):
    client = browser(owner)
    contact_import = make_import(owner)
    assert check(client, contact_import, create_companies="on").status_code == 302
    contact_import.refresh_from_db()
    assert contact_import.mode == "all" and contact_import.status == Status.INVALID


def test_the_page_lists_what_it_created_and_updated_with_links(owner):
    ada = ContactFactory(account=owner.account, email="ada@example.com", last_name="Old")
    text = HEADER + "Ada,Lovelace,ada@example.com,\nGrace,Hopper,grace@example.com,\n"
    client = browser(owner)
    contact_import = import_through_pages(client, make_import(owner, text))
    grace = contacts(owner).get(email="grace@example.com")
    html = client.get(url("contacts-import-detail", contact_import)).content.decode()
    assert "Created (1)" in html and "Updated (1)" in html
    assert reverse("web:contact", args=[grace.pk]) in html
    html = client.get(url("contacts-import-detail", contact_import) + "?show=updated").content
    assert reverse("web:contact", args=[ada.pk]).encode() in html
    assert reverse("web:contact", args=[grace.pk]).encode() not in html


def test_undo_asks_first_then_deletes_and_restores(owner):
    ada = ContactFactory(
        account=owner.account, email="ada@example.com", first_name="Ada", last_name="Old"
    )
    text = HEADER + "Ada,Lovelace,ada@example.com,\nGrace,Hopper,grace@example.com,\n"
    client = browser(owner)
    contact_import = import_through_pages(client, make_import(owner, text))
    confirm = client.get(url("contacts-import-undo", contact_import)).content.decode()
    assert "Undo this import?" in confirm
    assert contacts(owner).count() == 2  # asking changed nothing
    response = client.post(url("contacts-import-undo", contact_import), follow=True)
    assert "Import undone: 1 contact deleted, 1 restored to earlier values." in (
        response.content.decode()
    )
    assert list(contacts(owner).values_list("pk", "last_name")) == [(ada.pk, "Old")]
    contact_import.refresh_from_db()
    assert contact_import.status == Status.UNDONE
    # A second click is refused and changes nothing.
    response = client.post(url("contacts-import-undo", contact_import), follow=True)
    assert "nothing to undo" in response.content.decode()
    assert client.get(url("contacts-import-undo", contact_import)).status_code == 302


def test_undo_reports_fields_kept_because_edited_since(owner):
    ada = ContactFactory(account=owner.account, email="ada@example.com", last_name="Old")
    client = browser(owner)
    contact_import = import_through_pages(
        client, make_import(owner, HEADER + "Ada,New,ada@example.com,\n")
    )
    contacts(owner).filter(pk=ada.pk).update(last_name="Edited")  # stands for any edit
    response = client.post(url("contacts-import-undo", contact_import), follow=True)
    assert "1 field kept because it was edited since." in response.content.decode()
    assert contacts(owner).get().last_name == "Edited"


def test_large_imports_are_undone_in_the_background(owner, monkeypatch):
    monkeypatch.setattr("contacts.tasks.UNDO_INLINE_MAX", 0)
    client = browser(owner)
    contact_import = import_through_pages(
        client, make_import(owner, HEADER + "Ada,L,ada@example.com,\n")
    )
    client.post(url("contacts-import-undo", contact_import))
    contact_import.refresh_from_db()
    assert contact_import.status == Status.UNDONE  # the immediate backend ran the task
    assert not contacts(owner).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("contacts-import-undo", "get"),
        ("contacts-import-undo", "post"),
        ("contacts-import-dismiss-failed-rows", "post"),
        ("contacts-import-errors", "get"),
        ("contacts-import-detail", "get"),
    ],
)
def test_another_accounts_import_is_a_404_and_a_teammates_is_allowed(
    owner, teammate, outsider, name, method
):
    contact_import = import_through_pages(
        browser(owner), make_import(owner), mode="valid", create_companies="on"
    )
    response = getattr(browser(outsider), method)(url(name, contact_import))
    assert response.status_code == 404
    assert ContactImport.objects.for_account(owner.account).get().status == Status.DONE
    response = getattr(browser(teammate), method)(url(name, contact_import))
    assert response.status_code in (200, 302)


def test_the_page_of_a_finished_import_costs_the_same_queries_for_more_contacts(owner):
    client = browser(owner)

    def page_queries(count, start):
        rows = "".join(f"P{i},L,p{i}@example.com,\n" for i in range(start, start + count))
        contact_import = import_through_pages(client, make_import(owner, HEADER + rows))
        with capture_queries() as queries:
            assert client.get(url("contacts-import-detail", contact_import)).status_code == 200
        return queries

    assert_same_count(page_queries(2, 0), page_queries(30, 100))
