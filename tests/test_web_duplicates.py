"""The duplicates pages: the pair list and its scan, the compare page, likely
duplicates on the record pages and while a record is being created."""

import pytest

from companies.models import DuplicateScan
from contacts.tasks import duplicate_scan_start
from tests.factories import CompanyFactory, ContactFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def twins(account, n=1, name="Ada", **fields):
    pairs = []
    for i in range(n):
        pair = [
            ContactFactory(account=account, first_name=f"{name}{i}", last_name="King", **fields)
            for _ in range(2)
        ]
        pairs.append(pair)
    return pairs


def test_scan_now_fills_the_list_best_first(owner, teammate):
    [(a, b)] = twins(owner.account)
    c = ContactFactory(account=owner.account, first_name="Bob", phone="+14155550142")
    d = ContactFactory(account=owner.account, first_name="Rob", phone="+14155550142")
    client = client_for(teammate)
    assert "have not been scanned" in client.get("/duplicates/contacts/").content.decode()
    response = client.post("/duplicates/contacts/scan/")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "2 pairs" in html
    assert html.index(f"/duplicates/contacts/{c.pk}/{d.pk}/") < html.index(
        f"/duplicates/contacts/{a.pk}/{b.pk}/"
    )
    assert "Same phone" in html and "Same name and email domain" in html


def test_the_list_never_shows_another_accounts_pairs(owner, outsider):
    [(a, _b)] = twins(owner.account)
    duplicate_scan_start(account_id=owner.account.pk, record_type="contact")
    html = client_for(outsider).get("/duplicates/contacts/").content.decode()
    assert a.full_name not in html and "0 pairs" in html


def test_the_list_costs_constant_queries(owner):
    client = client_for(owner)
    twins(owner.account, 1)
    duplicate_scan_start(account_id=owner.account.pk, record_type="contact")
    with capture_queries() as small:
        client.get("/duplicates/contacts/")
    twins(owner.account, 6, name="Bea")
    duplicate_scan_start(account_id=owner.account.pk, record_type="contact")
    with capture_queries() as large:
        assert "7 pairs" in client.get("/duplicates/contacts/").content.decode()
    assert_same_count(small, large)


def test_a_running_scan_shows_progress_and_polls(owner, monkeypatch):
    scan = DuplicateScan.objects.create(
        account=owner.account, record_type="company", status="running", steps_done=1,
        steps_total=3,
    )  # fmt: skip
    client = client_for(owner)
    html = client.get("/duplicates/companies/").content.decode()
    assert 'hx-trigger="every 2s"' in html and "33%" in html
    partial = client.get("/duplicates/companies/scan/", HTTP_HX_REQUEST="true")
    assert "<progress" in partial.content.decode() and "HX-Refresh" not in partial
    DuplicateScan.objects.for_account(owner.account).filter(pk=scan.pk).update(status="done")
    done = client.get("/duplicates/companies/scan/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_compare_page_shows_both_records_and_marks_differences(owner, outsider):
    a = ContactFactory(account=owner.account, first_name="Ada", last_name="King", title="CEO")
    b = ContactFactory(account=owner.account, first_name="Ada", last_name="King", title="CTO")
    html = client_for(owner).get(f"/duplicates/contacts/{a.pk}/{b.pk}/").content.decode()
    assert "CEO" in html and "CTO" in html
    assert html.count("differs</span>") == 3  # title, email, created
    assert "{# merge form goes here #}" not in html  # a template comment, for the lead
    assert client_for(outsider).get(f"/duplicates/contacts/{a.pk}/{b.pk}/").status_code == 404
    assert client_for(owner).get(f"/duplicates/contacts/{a.pk}/{a.pk}/").status_code == 404
    assert client_for(owner).get(f"/duplicates/contacts/{a.pk}/x/").status_code == 404


def test_the_contact_page_says_how_many_likely_duplicates(owner):
    [(a, b)] = twins(owner.account)
    html = client_for(owner).get(f"/contacts/{a.pk}/").content.decode()
    assert "1 likely duplicate<" in html
    assert f"/duplicates/contacts/{a.pk}/{b.pk}/" in html


def test_the_company_page_says_how_many_likely_duplicates(owner):
    a = CompanyFactory(account=owner.account, name="Acme Inc", domain="acme.com")
    b = CompanyFactory(account=owner.account, name="ACME GmbH", domain="eu.acme.com")
    html = client_for(owner).get(f"/companies/{b.pk}/").content.decode()
    assert "1 likely duplicate<" in html and f"/duplicates/companies/{a.pk}/{b.pk}/" in html


def test_the_create_forms_look_up_likely_duplicates_as_you_type(owner, outsider):
    mine = ContactFactory(account=owner.account, first_name="José", last_name="Núñez")
    ContactFactory(account=outsider.account, first_name="Jose", last_name="Nunez")
    form = client_for(owner).get("/contacts/new/").content.decode()
    assert 'hx-get="/duplicates/contacts/check/"' in form
    html = (
        client_for(owner)
        .get("/duplicates/contacts/check/", {"first_name": "jose", "last_name": "nunez"})
        .content.decode()
    )
    assert f"/contacts/{mine.pk}/" in html and "Same name" in html
    theirs = (
        client_for(outsider)
        .get("/duplicates/contacts/check/", {"first_name": "josé", "last_name": "núñez"})
        .content.decode()
    )
    assert f"/contacts/{mine.pk}/" not in theirs
    bad = client_for(owner).get(
        "/duplicates/contacts/check/", {"phone": "not a phone", "company": "x"}
    )
    assert bad.status_code == 200 and bad.content.decode().strip() == ""
    company = CompanyFactory(account=owner.account, name="Acme Inc", domain="acme.com")
    html = (
        client_for(owner)
        .get("/duplicates/companies/check/", {"name": "ACME, LLC", "domain": "https://eu.acme.com"})
        .content.decode()
    )
    assert f"/companies/{company.pk}/" in html and "Same domain, same name" in html


def test_the_create_form_still_saves_a_likely_duplicate(owner):
    ContactFactory(account=owner.account, first_name="Ada", last_name="King")
    response = client_for(owner).post(
        "/contacts/new/", {"first_name": "Ada", "last_name": "King", "owner": owner.user.pk}
    )
    assert response.status_code == 302
