"""The duplicate keys: how names and domains are normalised, and that no write path
leaves a key stale (model save, update_fields, bulk_create, bulk_update, update(), the
services, the API, the bulk import, bulk actions, the backfill)."""

import pytest
from django.db import connection

from companies.matching_keys import backfill_company_keys, company_name_key, domain_root
from companies.models import Company
from companies.services import company_update
from contacts.matching_keys import backfill_contact_keys, contact_name_key, email_domain
from contacts.models import Contact
from contacts.services import contact_update
from events.models import Source
from lib.name_keys import fold
from tests.factories import CompanyFactory, ContactFactory


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("José  Núñez", "jose nunez"),
        ("  ANNA\tmaría ", "anna maria"),
        ("Straße", "strasse"),
        ("Zoë Ångström", "zoe angstrom"),
        ("", ""),
    ],
)
def test_fold_drops_case_accents_and_extra_spaces(text, key):
    assert fold(text) == key


def test_a_contact_name_key_joins_first_and_last_name():
    assert contact_name_key("José ", " Núñez") == "jose nunez"
    assert contact_name_key("Cher", "") == "cher"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Ltd", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("A.C.M.E. S.A.", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme LLC", "acme"),
        ("Acme Corp", "acme"),
        ("Acme PLC", "acme"),
        ("Acme Pty Limited", "acme"),
        ("Société Générale SA", "societe generale"),
        ("Smith & Sons", "smith and sons"),
        ("Limited Brands", "limited brands"),  # only trailing legal words go
        ("Holdings Ltd", "holdings ltd"),  # nothing but legal words: kept
    ],
)
def test_company_name_key_drops_punctuation_and_legal_suffixes(name, key):
    assert company_name_key(name) == key


@pytest.mark.parametrize(
    ("domain", "root"),
    [
        ("eu.acme.com", "acme.com"),
        ("acme.com", "acme.com"),
        ("shop.acme.co.uk", "acme.co.uk"),
        ("alice.github.io", "alice.github.io"),  # a private suffix counts
        ("co.uk", ""),
        ("", ""),
    ],
)
def test_domain_root_is_the_registrable_domain(domain, root):
    assert domain_root(domain) == root


@pytest.mark.parametrize(
    ("email", "domain"),
    [("ada@Example.com", "example.com"), ("", ""), ("@example.com", ""), ("a@b@c.org", "c.org")],
)
def test_email_domain(email, domain):
    assert email_domain(email) == domain


# -- every write path keeps the keys in step ----------------------------------------


def keys_of(contact):
    return (
        Contact.objects.for_account(contact.account_id)
        .values_list("name_key", "email_domain")
        .get(pk=contact.pk)
    )


def company_keys_of(company):
    return (
        Company.objects.for_account(company.account_id)
        .values_list("name_key", "domain_root")
        .get(pk=company.pk)
    )


@pytest.mark.django_db
def test_save_and_save_with_update_fields_write_the_keys(account):
    contact = ContactFactory(account=account, first_name="José", last_name="Núñez", email="j@a.com")
    assert keys_of(contact) == ("jose nunez", "a.com")
    contact.last_name = "Pérez"
    contact.save(update_fields=["last_name"])
    assert keys_of(contact) == ("jose perez", "a.com")


@pytest.mark.django_db
def test_bulk_create_bulk_update_and_update_write_the_keys(account):
    scoped = Contact.objects.for_account(account)
    [contact] = scoped.bulk_create(
        [Contact(account=account, first_name="Ana", last_name="Díaz", email="ana@x.org")]
    )
    contact = scoped.get(email="ana@x.org")
    assert keys_of(contact) == ("ana diaz", "x.org")
    contact.first_name = "Anna"
    scoped.bulk_update([contact], ["first_name"])
    assert keys_of(contact) == ("anna diaz", "x.org")
    scoped.filter(pk=contact.pk).update(last_name="Ruiz", email="anna@y.org")
    assert keys_of(contact) == ("anna ruiz", "y.org")
    # Even when the update changes what the filter matched.
    scoped.filter(last_name="Ruiz").update(last_name="Ríos")
    assert keys_of(contact) == ("anna rios", "y.org")


@pytest.mark.django_db
def test_the_services_write_the_keys(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="King")
    contact_update(
        contact=Contact.objects.for_account(owner.account).get(pk=contact.pk),
        by=owner.user,
        source=Source.API,
        data={"last_name": "Lovelace", "email": "ada@Analytical.org"},
    )
    assert keys_of(contact) == ("ada lovelace", "analytical.org")
    company = CompanyFactory(account=owner.account, name="Acme Inc", domain="acme.com")
    company_update(
        company=Company.objects.for_account(owner.account).get(pk=company.pk),
        by=owner.user,
        source=Source.API,
        data={"name": "Globex GmbH", "domain": "eu.globex.de"},
    )
    assert company_keys_of(company) == ("globex", "globex.de")


@pytest.mark.django_db
def test_the_api_writes_the_keys_on_create_and_patch(owner):
    url = "/api/v1/crm/contacts/"
    created = owner.client.post(
        url, {"first_name": "Zoë", "last_name": "Ång", "email": "z@q.io"}, format="json"
    ).json()
    contact = Contact.objects.for_account(owner.account).get(pk=created["id"])
    assert keys_of(contact) == ("zoe ang", "q.io")
    owner.client.patch(f"{url}{contact.pk}/", {"first_name": "Zoe"}, format="json")
    assert keys_of(contact) == ("zoe ang", "q.io")
    owner.client.patch(f"{url}{contact.pk}/", {"email": "z@r.io"}, format="json")
    assert keys_of(contact) == ("zoe ang", "r.io")
    company = owner.client.post(
        "/api/v1/crm/companies/",
        {"name": "Initech, LLC", "domain": "www.eu.initech.com"},
        format="json",
    ).json()
    assert company_keys_of(Company.objects.for_account(owner.account).get(pk=company["id"])) == (
        "initech",
        "initech.com",
    )


@pytest.mark.django_db
def test_the_bulk_import_writes_the_keys_of_new_and_updated_contacts(owner):
    ContactFactory(account=owner.account, first_name="Old", last_name="Name", email="o@a.com")
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/",
        {
            "on_duplicate": "update",
            "contacts": [
                {"first_name": "Nuño", "last_name": "Gil", "email": "n@b.com"},
                {"first_name": "New", "last_name": "Náme", "email": "o@a.com"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    keys = dict(Contact.objects.for_account(owner.account).values_list("email", "name_key"))
    assert keys == {"n@b.com": "nuno gil", "o@a.com": "new name"}


@pytest.mark.django_db
def test_the_backfill_fills_keys_written_in_sql(account):
    ascii_one = ContactFactory(account=account, first_name="Plain", last_name="Name")
    accented = ContactFactory(account=account, first_name="Ñandú", last_name="Ávila")
    company = CompanyFactory(account=account, name="Wayne Enterprises Inc", domain="x.wayne.com")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contacts_contact SET name_key = '', email_domain = ''")
        cursor.execute("UPDATE companies_company SET name_key = '', domain_root = ''")
    backfill_contact_keys(connection, account_id=account.pk)
    backfill_company_keys(connection)
    assert keys_of(ascii_one) == ("plain name", "example.com")
    assert keys_of(accented)[0] == "nandu avila"
    assert company_keys_of(company) == ("wayne enterprises", "wayne.com")
