"""One parser of typed phone numbers (`contacts.phones.parse_phone`): the API, the web
form, the admin (and the CSV import, through the API's field) read a number the same
way, in the account's region, and store it as E.164."""

import re
from pathlib import Path

import pytest
from django.test import Client

from contacts.models import Contact
from contacts.phones import InvalidPhoneNumber, parse_phone
from tests.factories import ContactFactory, UserFactory
from tests.html_forms import form_data
from tests.web_client import client_for

ROOT = Path(__file__).resolve().parent.parent
TYPED = ["(415) 555-2671", "+1 415 555 2671", "415.555.2671", "+44 20 7946 0958"]


@pytest.mark.parametrize(
    ("text", "region", "stored"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("+1 415 555 2671", None, "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("  ", "US", ""),
        ("", None, ""),
    ],
)
def test_parse_phone_reads_any_notation_in_the_region(text, region, stored):
    assert parse_phone(text, region) == stored


@pytest.mark.parametrize(
    ("text", "region"), [("123", "US"), ("not a number", "US"), ("(415) 555-2671", None)]
)
def test_parse_phone_refuses_what_is_not_a_valid_number(text, region):
    with pytest.raises(InvalidPhoneNumber, match="Enter a valid phone number."):
        parse_phone(text, region)


def test_only_contacts_phones_calls_the_phone_library_parser():
    calls = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "node_modules/", "tests/")) or "/migrations/" in relative:
            continue
        if re.search(r"phonenumbers\.parse\(|PhoneNumber\.from_string\(", path.read_text()):
            calls.append(relative)
    assert calls == ["contacts/phones.py"]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", TYPED)
def test_the_api_and_the_web_form_store_the_same_number(owner, typed):
    api = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Api", "phone": typed}, format="json"
    )
    assert api.status_code == 201, api.json()
    client_for(owner).post("/contacts/new/", {"first_name": "Web", "phone": typed})
    scoped = Contact.objects.for_account(owner.account)
    stored = {str(scoped.get(first_name=name).phone) for name in ("Api", "Web")}
    assert stored == {parse_phone(typed, owner.account.phone_region)}


@pytest.mark.django_db
def test_an_invalid_number_is_the_same_error_on_the_api_and_the_web_form(owner):
    api = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Api", "phone": "123"}, format="json"
    )
    assert api.json() == {"phone": ["Enter a valid phone number."]}
    web = client_for(owner).post("/contacts/new/", {"first_name": "Web", "phone": "123"})
    assert web.context["form"].errors["phone"] == ["Enter a valid phone number."]


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_contact(client, url, **fields):
    data = form_data(client.get(url).content.decode(), "contact_form")
    data.update({name: [str(value)] for name, value in fields.items()})
    return client.post(url, data)


@pytest.mark.django_db
def test_the_admin_reads_a_number_in_the_accounts_region(admin_client, account):
    account.phone_region = "GB"
    account.save()
    response = admin_contact(
        admin_client,
        "/admin/contacts/contact/add/",
        account=account.pk,
        first_name="Ada",
        phone="020 7946 0958",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert str(Contact.objects.for_account(account).get().phone) == "+442079460958"


@pytest.mark.django_db
def test_the_admin_refuses_an_invalid_number_with_the_same_message(admin_client, account):
    response = admin_contact(
        admin_client,
        "/admin/contacts/contact/add/",
        account=account.pk,
        first_name="Ada",
        phone="123",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == ["Enter a valid phone number."]


@pytest.mark.django_db
def test_the_admin_keeps_a_stored_number_when_another_field_changes(admin_client, account):
    contact = ContactFactory(account=account, phone="+14155552671")
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    response = admin_contact(admin_client, url, title="Buyer")
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.for_account(account).get()
    assert (str(contact.phone), contact.title) == ("+14155552671", "Buyer")
