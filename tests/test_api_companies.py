"""The companies API: domains, hierarchy, contact counts, filters and deletion."""

import pytest

from companies.models import Company
from contacts.models import Contact
from tests.factories import (
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    TagFactory,
)
from tests.queries import assert_queries, assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/companies/"


def create(actor, **body):
    return actor.client.post(URL, body, format="json")


def test_create_answers_201_with_the_full_representation(owner):
    response = create(
        owner,
        name="Acme",
        domain="acme.com",
        industry="Software",
        size="11-50",
        tags=["customer"],
        custom_fields={"tier": "gold"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "domain",
        "industry",
        "size",
        "parent",
        "owner",
        "custom_fields",
        "tags",
        "contact_count",
        "created_at",
        "updated_at",
    }
    assert (body["owner"], body["parent"], body["contact_count"]) == (owner.user.pk, None, 0)
    assert [t["name"] for t in body["tags"]] == ["customer"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://WWW.Acme.com/about", "acme.com"),
        ("acme.com", "acme.com"),
        ("ACME.COM.", "acme.com"),
        ("http://sub.acme.co.uk:8080/x?y=1", "sub.acme.co.uk"),
        ("www.acme.io", "acme.io"),
        ("  Acme.org  ", "acme.org"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("", ""),
    ],
)
def test_domains_are_normalised(owner, given, stored):
    response = create(owner, name="Acme", domain=given)
    assert response.status_code == 201, response.json()
    assert response.json()["domain"] == stored


@pytest.mark.parametrize(
    "domain",
    [
        "not a domain",
        "acme",
        "-acme.com",
        "acme-.com",
        "a..com",
        "127.0.0.1",
        "http://",
        "acme.c_m",
        "x" * 64 + ".com",
        "[::1]",
    ],
)
def test_an_invalid_host_name_is_a_400_on_domain(owner, domain):
    response = create(owner, name="Acme", domain=domain)
    assert response.status_code == 400
    assert "domain" in response.json()
    assert not Company.objects.for_account(owner.account).exists()


def test_domains_are_unique_per_account_in_any_spelling(owner, outsider):
    assert create(owner, name="Acme", domain="acme.com").status_code == 201
    duplicate = create(owner, name="Acme 2", domain="https://www.ACME.com/")
    assert duplicate.status_code == 400
    assert "domain" in duplicate.json()
    # Another account's domain is not discoverable: it is simply free here.
    assert create(outsider, name="Acme", domain="acme.com").status_code == 201
    # Companies without a domain never clash.
    assert create(owner, name="A").status_code == create(owner, name="B").status_code == 201


def test_a_company_may_have_a_parent(owner):
    parent = CompanyFactory(account=owner.account)
    body = create(owner, name="Sub", parent=parent.pk).json()
    assert body["parent"] == parent.pk


def test_a_company_cannot_be_its_own_parent(owner):
    company = CompanyFactory(account=owner.account)
    response = owner.client.patch(f"{URL}{company.pk}/", {"parent": company.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


@pytest.mark.parametrize("depth", [2, 3, 12])
def test_a_cycle_through_any_depth_is_a_400_on_parent(owner, depth):
    chain = [CompanyFactory(account=owner.account)]
    for _ in range(depth - 1):
        chain.append(CompanyFactory(account=owner.account, parent=chain[-1]))
    top, bottom = chain[0], chain[-1]
    response = owner.client.patch(f"{URL}{top.pk}/", {"parent": bottom.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()
    top.refresh_from_db()
    assert top.parent_id is None


def test_moving_a_company_elsewhere_in_the_tree_is_fine(owner):
    a = CompanyFactory(account=owner.account)
    b = CompanyFactory(account=owner.account, parent=a)
    c = CompanyFactory(account=owner.account)
    response = owner.client.patch(f"{URL}{b.pk}/", {"parent": c.pk}, format="json")
    assert response.status_code == 200
    response = owner.client.patch(f"{URL}{a.pk}/", {"parent": b.pk}, format="json")
    assert response.status_code == 200  # a is no longer b's ancestor


@pytest.mark.parametrize("depth", [3, 30])
def test_the_cycle_check_is_one_query_whatever_the_depth(owner, depth):
    chain = [CompanyFactory(account=owner.account)]
    for _ in range(depth - 1):
        chain.append(CompanyFactory(account=owner.account, parent=chain[-1]))
    with assert_queries(1):
        assert chain[0].would_be_own_ancestor(chain[-1].pk) is True
    assert chain[-1].would_be_own_ancestor(chain[0].pk) is False


def test_the_cycle_check_terminates_on_a_corrupt_existing_cycle(owner):
    a = CompanyFactory(account=owner.account)
    b = CompanyFactory(account=owner.account, parent=a)
    Company.objects.for_account(owner.account).filter(pk=a.pk).update(parent=b)
    c = CompanyFactory(account=owner.account)
    assert c.would_be_own_ancestor(a.pk) is False


def test_deleting_a_company_keeps_its_contacts_and_subsidiaries(owner):
    company = CompanyFactory(account=owner.account)
    child = CompanyFactory(account=owner.account, parent=company)
    contact = ContactFactory(account=owner.account, company=company)
    CompanyTagFactory(company=company)
    response = owner.client.delete(f"{URL}{company.pk}/")
    assert response.status_code == 204
    child.refresh_from_db()
    contact.refresh_from_db()
    assert child.parent_id is None and contact.company_id is None
    assert Company.objects.for_account(owner.account).count() == 1
    assert Contact.objects.for_account(owner.account).count() == 1


def test_contact_count_counts_the_companys_contacts(owner):
    busy = CompanyFactory(account=owner.account, name="Busy")
    CompanyFactory(account=owner.account, name="Empty")
    ContactFactory.create_batch(3, account=owner.account, company=busy)
    ContactFactory(account=owner.account)
    body = owner.client.get(URL).json()
    assert [(c["name"], c["contact_count"]) for c in body["results"]] == [("Busy", 3), ("Empty", 0)]
    assert owner.client.get(f"{URL}{busy.pk}/").json()["contact_count"] == 3


def test_company_list_queries_do_not_grow_with_rows(owner):
    def count():
        with capture_queries() as ctx:
            assert owner.client.get(URL, {"page_size": 100}).status_code == 200
        return ctx

    def grow(n):
        tag = TagFactory(account=owner.account)
        for company in CompanyFactory.create_batch(n, account=owner.account):
            CompanyTagFactory(company=company, tag=tag)
            ContactFactory.create_batch(2, account=owner.account, company=company)

    grow(2)
    small = count()
    grow(40)
    assert_same_count(small, count(), at_most=5)


def names(response):
    return [c["name"] for c in response.json()["results"]]


def test_filters_select_companies(owner, teammate):
    parent = CompanyFactory(
        account=owner.account,
        name="Parent Co",
        industry="Retail",
        size="5001+",
        owner=owner.user,
        domain="parent.com",
    )
    child = CompanyFactory(
        account=owner.account,
        name="Child Co",
        parent=parent,
        industry="retail",
        owner=teammate.user,
        domain="kid.io",
    )
    CompanyTagFactory(company=child, tag=TagFactory(account=owner.account, name="vip"))
    get = lambda **q: sorted(names(owner.client.get(URL, q)))  # noqa: E731
    assert get(search="chi") == ["Child Co"]
    assert get(search="kid") == ["Child Co"]
    assert get(search="co par") == ["Parent Co"]
    assert get(tag="vip") == ["Child Co"]
    assert get(industry="RETAIL") == ["Child Co", "Parent Co"]
    assert get(size="5001+") == ["Parent Co"]
    assert get(parent="none") == ["Parent Co"]
    assert get(parent=str(parent.pk)) == ["Child Co"]
    assert get(owner="me") == ["Parent Co"]
    assert get(owner=str(teammate.user.pk)) == ["Child Co"]


@pytest.mark.parametrize("query", ["parent=abc", "size=huge", "owner=x", "parent=-1"])
def test_bad_filter_values_are_a_400(owner, query):
    response = owner.client.get(f"{URL}?{query}")
    assert response.status_code == 400


def test_ordering_by_name_and_created_at(owner):
    for name in ["b", "c", "a"]:
        CompanyFactory(account=owner.account, name=name)
    assert names(owner.client.get(URL)) == ["a", "b", "c"]
    assert names(owner.client.get(URL, {"ordering": "-name"})) == ["c", "b", "a"]
    assert names(owner.client.get(URL, {"ordering": "created_at"})) == ["b", "c", "a"]


def test_company_tags_are_added_and_removed_like_contact_tags(owner):
    company = CompanyFactory(account=owner.account)
    response = owner.client.post(f"{URL}{company.pk}/tags/", {"name": "vip"}, format="json")
    assert response.status_code == 200
    tag_id = response.json()["tags"][0]["id"]
    assert owner.client.delete(f"{URL}{company.pk}/tags/{tag_id}/").status_code == 204
    assert owner.client.get(f"{URL}{company.pk}/").json()["tags"] == []


def test_tags_are_shared_between_contacts_and_companies(owner):
    create(owner, name="Acme", tags=["vip"])
    owner.client.post("/api/v1/crm/contacts/", {"first_name": "A", "tags": ["VIP"]}, format="json")
    tags = owner.client.get("/api/v1/crm/tags/").json()["results"]
    assert [t["name"] for t in tags] == ["vip"]


# -- contacts and their company ----------------------------------------------------


def test_a_contact_can_belong_to_a_company(owner):
    company = CompanyFactory(account=owner.account)
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "A", "company": company.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["company"] == company.pk


def test_contacts_filter_by_company(owner):
    company = CompanyFactory(account=owner.account)
    mine = ContactFactory(account=owner.account, company=company)
    ContactFactory(account=owner.account)
    body = owner.client.get("/api/v1/crm/contacts/", {"company": company.pk}).json()
    assert [c["id"] for c in body["results"]] == [mine.pk]
    assert owner.client.get("/api/v1/crm/contacts/", {"company": "abc"}).status_code == 400


def test_another_accounts_company_is_a_400_on_company(owner, outsider):
    theirs = CompanyFactory(account=outsider.account)
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "A", "company": theirs.pk}, format="json"
    )
    assert response.status_code == 400
    assert "company" in response.json()
    listing = owner.client.get("/api/v1/crm/contacts/", {"company": theirs.pk}).json()
    assert listing["count"] == 0


def test_bulk_import_links_companies_in_constant_queries(owner):
    companies = CompanyFactory.create_batch(3, account=owner.account)
    rows = [{"first_name": f"P{i}", "company": companies[i % 3].pk} for i in range(30)]
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/", {"contacts": rows}, format="json"
    )
    assert response.status_code == 201
    counts = owner.client.get(URL).json()["results"]
    assert sorted(c["contact_count"] for c in counts) == [10, 10, 10]
