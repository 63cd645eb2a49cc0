"""Contact custom fields in the CSV files: the export writes a column a defined field,
headed by its key; the import maps columns to them, reads each cell by its field's
type, fails a row whose value does not fit (with the reason in failed-rows.csv), and
accepts its own export back."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contacts.imports import guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from customfields.services import custom_field_create
from tests.factories import ContactFactory
from tests.queries import capture_queries

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = ContactImport.Status


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def fields(owner):
    account = owner.account

    def define(key, type, **data):
        return custom_field_create(
            account=account,
            data={"record_type": "contact", "type": type, "key": key, "label": key.title(), **data},
        )

    return [
        define("source", "select", options=["web", "referral"]),
        define("score", "number"),
        define("newsletter", "boolean"),
        define("renewal", "date", label="Renewal date"),
    ]


def browser(actor):
    client = Client()
    client.force_login(actor.user)
    return client


def rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def upload(client, text: str, *, account) -> ContactImport:
    response = client.post(
        reverse("web:contacts-import"),
        {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 302, response.content
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    return ContactImport.objects.for_account(account).get(pk=pk)


def check(client, contact_import, mapping=None, **choices):
    mapping = contact_import.mapping if mapping is None else mapping
    fields = {f"column_{i}": name for i, name in enumerate(mapping)}
    response = client.post(
        reverse("web:contacts-import-mapping", args=[contact_import.pk]),
        fields | {"on_duplicate": "update"} | choices,
    )
    contact_import.refresh_from_db()
    return response


def start(client, contact_import):
    client.post(reverse("web:contacts-import-start", args=[contact_import.pk]))
    contact_import.refresh_from_db()


def test_the_export_has_a_column_a_custom_field_headed_by_its_key(owner, fields):
    ContactFactory(
        account=owner.account,
        first_name="Ada",
        custom_fields={"source": "web", "score": 4.5, "newsletter": False, "legacy": "x"},
    )
    body = rows(browser(owner).get(reverse("web:contacts-export")))
    assert body[0][-4:] == ["newsletter", "renewal", "score", "source"]
    assert body[1][-4:] == ["false", "", "4.5", "web"]
    assert "legacy" not in body[0]  # keys without a definition are not exported


def test_a_key_named_like_a_contact_column_is_headed_cf(owner):
    custom_field_create(
        account=owner.account, data={"record_type": "contact", "type": "text", "key": "email"}
    )
    body = rows(browser(owner).get(reverse("web:contacts-export")))
    assert body[0].count("email") == 1 and body[0][-1] == "cf_email"


def test_the_export_costs_the_same_queries_with_custom_fields_at_any_size(owner, fields):
    client = browser(owner)

    def count():
        with capture_queries() as queries:
            rows(client.get(reverse("web:contacts-export")))
        return len(queries)

    ContactFactory(account=owner.account, custom_fields={"score": 1})
    small = count()
    for i in range(10):
        ContactFactory(account=owner.account, custom_fields={"score": i, "source": "web"})
    assert count() == small


def test_the_export_applies_the_lists_custom_field_filters(owner, fields):
    ContactFactory(account=owner.account, first_name="Ann", custom_fields={"source": "web"})
    ContactFactory(account=owner.account, first_name="Bob", custom_fields={"source": "referral"})
    body = rows(browser(owner).get(reverse("web:contacts-export") + "?cf_source=web"))
    assert [row[0] for row in body[1:]] == ["Ann"]


def test_the_mapping_offers_and_guesses_the_custom_fields(owner, fields):
    client = browser(owner)
    contact_import = upload(
        client,
        "First name,score,Renewal date,cf_source,Newsletter\nAda,1,,,\n",
        account=owner.account,
    )
    assert contact_import.mapping == [
        "first_name",
        "cf_score",
        "cf_renewal",
        "cf_source",
        "cf_newsletter",
    ]
    html = client.get(reverse("web:contacts-import-detail", args=[contact_import.pk])).content
    assert '<option value="cf_score" selected>Score (custom field)</option>' in html.decode()


def test_a_mapping_with_one_custom_field_twice_is_refused(owner, fields):
    client = browser(owner)
    contact_import = upload(client, "First name,a,b\nAda,1,2\n", account=owner.account)
    response = check(client, contact_import, mapping=["first_name", "cf_score", "cf_score"])
    assert "Only one column can be Score (custom field)." in response.content.decode()


def test_an_import_writes_typed_values(owner, fields):
    client = browser(owner)
    contact_import = upload(
        client,
        "First name,Email,source,score,newsletter,renewal\n"
        "Ada,ada@example.com,Referral,42,yes,2026-03-05\n"
        "Grace,grace@example.com,,,,\n",
        account=owner.account,
    )
    check(client, contact_import)
    assert contact_import.status == Status.READY, contact_import.errors
    start(client, contact_import)
    assert contact_import.status == Status.DONE
    ada = Contact.objects.for_account(owner.account).get(email="ada@example.com")
    assert ada.custom_fields == {
        "source": "referral",
        "score": 42,
        "newsletter": True,
        "renewal": "2026-03-05",
    }
    grace = Contact.objects.for_account(owner.account).get(email="grace@example.com")
    assert grace.custom_fields == {}


def test_a_bad_value_fails_its_row_with_a_reason_in_the_failed_rows_file(owner, fields):
    client = browser(owner)
    contact_import = upload(
        client,
        "First name,source,score,renewal\nAda,web,1,\nBob,fax,lots,2026-02-30\n",
        account=owner.account,
    )
    check(client, contact_import, mode="valid")
    assert contact_import.errors == [
        {
            "row": 3,
            "messages": [
                "“source” must be one of: web, referral.",
                "“score” must be a number.",
                "“renewal” must be a date as YYYY-MM-DD.",
            ],
        }
    ]
    # Importing the valid rows: Ada is written, Bob's row is in failed-rows.csv.
    start(client, contact_import)
    assert contact_import.status == Status.DONE
    ada = Contact.objects.for_account(owner.account).get()
    assert ada.custom_fields == {"source": "web", "score": 1}
    body = rows(client.get(reverse("web:contacts-import-errors", args=[contact_import.pk])))
    assert body[1][:4] == ["Bob", "fax", "lots", "2026-02-30"]
    assert "“score” must be a number." in body[1][-1]


def test_a_required_custom_field_is_required_of_the_rows_that_create(owner, fields):
    custom_field_create(
        account=owner.account,
        data={"record_type": "contact", "type": "text", "key": "tier", "required": True},
    )
    ContactFactory(account=owner.account, email="old@example.com", custom_fields={"tier": "a"})
    client = browser(owner)
    contact_import = upload(
        client,
        "First name,Email,tier\nOld,old@example.com,\nNew,new@example.com,\n",
        account=owner.account,
    )
    check(client, contact_import)
    assert contact_import.errors == [{"row": 3, "messages": ["“tier” is required."]}]


def test_an_empty_cell_never_overwrites_a_custom_value_on_update(owner, fields):
    contact = ContactFactory(
        account=owner.account,
        email="ada@example.com",
        custom_fields={"source": "web", "score": 1, "legacy": "kept"},
    )
    client = browser(owner)
    contact_import = upload(
        client, "First name,Email,source,score\nAda,ada@example.com,,7\n", account=owner.account
    )
    check(client, contact_import)
    start(client, contact_import)
    assert contact_import.status == Status.DONE
    contact.refresh_from_db()
    assert contact.custom_fields == {"source": "web", "score": 7, "legacy": "kept"}


def test_the_import_accepts_its_own_export_back(owner, fields):
    ContactFactory(
        account=owner.account,
        first_name="Ada",
        email="ada@example.com",
        custom_fields={
            "source": "referral",
            "score": -2.5,
            "newsletter": True,
            "renewal": "2026-03-05",
        },
    )
    client = browser(owner)
    exported = b"".join(client.get(reverse("web:contacts-export")).streaming_content)
    Contact.objects.for_account(owner.account).delete()
    contact_import = upload(client, exported.decode("utf-8-sig"), account=owner.account)
    assert {"cf_source", "cf_score", "cf_newsletter", "cf_renewal"} <= set(contact_import.mapping)
    check(client, contact_import)
    assert contact_import.status == Status.READY, contact_import.errors
    start(client, contact_import)
    ada = Contact.objects.for_account(owner.account).get(email="ada@example.com")
    assert ada.custom_fields == {
        "source": "referral",
        "score": -2.5,
        "newsletter": True,
        "renewal": "2026-03-05",
    }


def test_the_guess_without_definitions_is_as_before():
    headers = read_csv(b"First name,score\nAda,1\n").headers
    assert guess_mapping(headers) == ["first_name", ""]
