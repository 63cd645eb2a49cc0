"""The duplicates API: one record's likely duplicates (reasons, scores, order), the
account's pairs from the scan, the create header, tenancy and query counts."""

import pytest

from companies.models import DuplicateScan
from contacts.tasks import duplicate_scan_start
from tests.factories import CompanyFactory, ContactFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
CONTACTS = "/api/v1/crm/contacts/"
COMPANIES = "/api/v1/crm/companies/"


def contact(account, **fields):
    return ContactFactory(account=account, **{"email": "", **fields})


def duplicates(actor, url):
    response = actor.client.get(url)
    assert response.status_code == 200, response.content
    return [(d["id"], d["score"], d["reasons"]) for d in response.json()]


def test_each_contact_reason_and_its_score_best_first(owner):
    account = owner.account
    acme = CompanyFactory(account=account)
    me = contact(
        account, first_name="José", last_name="Núñez", email="jose@acme.com",
        phone="+14155550142", company=acme,
    )  # fmt: skip
    same_phone = contact(account, first_name="Pepe", last_name="N", phone="+14155550142")
    name_domain = contact(account, first_name="jose ", last_name="NUNEZ", email="jn@acme.com")
    name_company = contact(account, first_name="Jose", last_name="Nunez", company=acme)
    name_only = contact(account, first_name="JOSÉ", last_name="núñez")
    contact(account, first_name="Josef", last_name="Nunez")  # no match
    assert duplicates(owner, f"{CONTACTS}{me.pk}/duplicates/") == [
        (same_phone.pk, 90, ["phone"]),
        (name_domain.pk, 85, ["name_and_email_domain"]),
        (name_company.pk, 80, ["name_and_company"]),
        (name_only.pk, 50, ["name"]),
    ]


def test_reasons_combine_capped_at_100(owner):
    account = owner.account
    acme = CompanyFactory(account=account)
    me = contact(
        account, first_name="Ada", last_name="King", email="ada@acme.com",
        phone="+14155550142", company=acme,
    )  # fmt: skip
    twin = contact(
        account, first_name="Ada", last_name="King", email="a.king@acme.com",
        phone="+14155550142", company=acme,
    )  # fmt: skip
    phone_and_name = contact(account, first_name="ada", last_name="king", phone="+14155550142")
    assert duplicates(owner, f"{CONTACTS}{me.pk}/duplicates/") == [
        (twin.pk, 99, ["phone", "name_and_email_domain", "name_and_company"]),
        (phone_and_name.pk, 95, ["phone", "name"]),
    ]


def test_company_reasons(owner):
    account = owner.account
    me = CompanyFactory(account=account, name="Acme, Inc.", domain="acme.com")
    both = CompanyFactory(account=account, name="ACME GmbH", domain="eu.acme.com")
    root = CompanyFactory(account=account, name="Road Runner Ltd", domain="shop.acme.com")
    name = CompanyFactory(account=account, name="Acme LLC", domain="acme.org")
    CompanyFactory(account=account, name="Acme Widgets", domain="")
    assert duplicates(owner, f"{COMPANIES}{me.pk}/duplicates/") == [
        (both.pk, 97, ["domain_root", "name"]),
        (root.pk, 90, ["domain_root"]),
        (name.pk, 70, ["name"]),
    ]


def test_another_accounts_record_is_a_404_and_never_a_duplicate(owner, teammate, outsider):
    mine = contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    theirs = contact(outsider.account, first_name="Ada", last_name="King", phone="+14155550142")
    assert duplicates(teammate, f"{CONTACTS}{mine.pk}/duplicates/") == []
    assert outsider.client.get(f"{CONTACTS}{mine.pk}/duplicates/").status_code == 404
    assert duplicates(outsider, f"{CONTACTS}{theirs.pk}/duplicates/") == []
    company = CompanyFactory(account=owner.account)
    assert outsider.client.get(f"{COMPANIES}{company.pk}/duplicates/").status_code == 404


def test_one_records_duplicates_cost_constant_queries(owner):
    me = contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    url = f"{CONTACTS}{me.pk}/duplicates/"
    contact(owner.account, first_name="Ada", last_name="King")
    with capture_queries() as small:
        owner.client.get(url)
    for _n in range(8):
        contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    with capture_queries() as large:
        assert len(owner.client.get(url).json()) == 9
    assert_same_count(small, large)


def test_the_pair_list_reads_the_scan_best_first_and_never_pairs_accounts(owner, outsider):
    a = contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    b = contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    c = contact(owner.account, first_name="Bob", last_name="Ray")
    d = contact(owner.account, first_name="bob", last_name="RAY")
    contact(outsider.account, first_name="Bob", last_name="Ray")
    scan = duplicate_scan_start(account_id=owner.account.pk, record_type="contact")
    assert scan.status == DuplicateScan.Status.DONE
    body = owner.client.get(f"{CONTACTS}duplicates/").json()
    assert body["count"] == 2
    assert [(p["ids"], p["score"], p["reasons"]) for p in body["results"]] == [
        ([a.pk, b.pk], 95, ["phone", "name"]),
        ([c.pk, d.pk], 50, ["name"]),
    ]
    assert outsider.client.get(f"{CONTACTS}duplicates/").json()["count"] == 0


def test_the_pair_list_costs_constant_queries(owner):
    def grow(start, n):
        for i in range(start, start + n):
            contact(owner.account, first_name=f"P{i}", last_name="Same")
            contact(owner.account, first_name=f"p{i}", last_name="SAME")
        duplicate_scan_start(account_id=owner.account.pk, record_type="contact")

    grow(0, 1)
    with capture_queries() as small:
        owner.client.get(f"{CONTACTS}duplicates/")
    grow(1, 5)
    with capture_queries() as large:
        assert owner.client.get(f"{CONTACTS}duplicates/").json()["count"] == 6
    assert_same_count(small, large)


def test_company_pairs(owner):
    a = CompanyFactory(account=owner.account, name="Acme Inc", domain="acme.com")
    b = CompanyFactory(account=owner.account, name="Acme Ltd", domain="uk.acme.com")
    duplicate_scan_start(account_id=owner.account.pk, record_type="company")
    body = owner.client.get(f"{COMPANIES}duplicates/").json()
    assert [(p["ids"], p["score"]) for p in body["results"]] == [([a.pk, b.pk], 97)]


def test_a_deleted_records_pairs_leave_the_list(owner):
    a = contact(owner.account, first_name="Ada", last_name="King")
    contact(owner.account, first_name="Ada", last_name="King")
    duplicate_scan_start(account_id=owner.account.pk, record_type="contact")
    assert owner.client.delete(f"{CONTACTS}{a.pk}/").status_code == 204
    assert owner.client.get(f"{CONTACTS}duplicates/").json()["count"] == 0


def test_create_reports_likely_duplicates_in_a_header(owner):
    first = contact(owner.account, first_name="Ada", last_name="King", phone="+14155550142")
    second = contact(owner.account, first_name="Ada", last_name="King")
    response = owner.client.post(
        CONTACTS, {"first_name": "ada", "last_name": "king", "phone": "+14155550142"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201
    assert response["Relay-Likely-Duplicates"] == f"{first.pk}, {second.pk}"
    assert set(response.json()) >= {"id", "first_name"}  # the body as before
    lone = owner.client.post(CONTACTS, {"first_name": "Unique"}, format="json")
    assert "Relay-Likely-Duplicates" not in lone
    company = CompanyFactory(account=owner.account, name="Acme", domain="acme.com")
    response = owner.client.post(COMPANIES, {"name": "ACME Inc."}, format="json")
    assert response["Relay-Likely-Duplicates"] == str(company.pk)


def test_a_bad_id_is_a_404_not_a_500(owner):
    assert owner.client.get(f"{CONTACTS}99999999/duplicates/").status_code == 404
    assert owner.client.get(f"{CONTACTS}duplicates/?page=x").status_code == 404
