"""The pickers' endpoints (web/pickers/): what a keystroke answers, in which order,
for whom, at what cost, and creating a contact or company inline."""

import re

import pytest
from django.db import connection

from companies.models import Company
from contacts.models import Contact
from events.models import Event, Source
from tests.factories import CompanyFactory, ContactFactory, DealFactory, UserFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def labels(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


def offers_create(response) -> bool:
    return "data-create=" in response.content.decode()


def test_a_contact_is_found_by_first_name_last_name_or_email_prefix(owner):
    ContactFactory(account=owner.account, first_name="Ann", last_name="Lee", email="al@x.com")
    ContactFactory(account=owner.account, first_name="Bob", last_name="Annis", email="b@x.com")
    ContactFactory(account=owner.account, first_name="Cy", last_name="Doe", email="annex@x.com")
    ContactFactory(account=owner.account, first_name="Dan", last_name="Roe", email="d@x.com")
    client = client_for(owner)
    # First-name matches first, then last-name ones, then email ones.
    assert labels(client.get("/pickers/contacts/?q=ann", **HTMX)) == [
        "Ann Lee",
        "Bob Annis",
        "Cy Doe",
    ]
    assert labels(client.get("/pickers/contacts/?q=ANN  L", **HTMX)) == ["Ann Lee"]
    assert labels(client.get("/pickers/contacts/?q=lee ann", **HTMX)) == ["Ann Lee"]
    assert labels(client.get("/pickers/contacts/?q=annex@", **HTMX)) == ["Cy Doe"]
    assert labels(client.get("/pickers/contacts/?q=zz", **HTMX)) == []


def test_a_contact_matches_its_name_without_accents(owner):
    ContactFactory(account=owner.account, first_name="José", last_name="Núñez")
    assert labels(client_for(owner).get("/pickers/contacts/?q=jose nu")) == ["José Núñez"]


def test_matches_are_alphabetical_and_at_most_ten(owner):
    for name in [
        "Anna",
        "Andy",
        "Anton",
        "Ana",
        "Anders",
        "Anita",
        "Anya",
        "Ann",
        "Anke",
        "Anil",
        "Anouk",
        "Ansel",
    ]:
        ContactFactory(account=owner.account, first_name=name, last_name="Zed")
    found = labels(client_for(owner).get("/pickers/contacts/?q=an"))
    assert len(found) == 10
    assert found == sorted(found, key=str.lower)


def test_an_empty_search_lists_the_first_contacts(owner):
    ContactFactory(account=owner.account, first_name="Zoe", last_name="A")
    ContactFactory(account=owner.account, first_name="Abe", last_name="Z")
    assert labels(client_for(owner).get("/pickers/contacts/")) == ["Abe Z", "Zoe A"]


def test_a_percent_or_underscore_is_text_not_a_wildcard(owner):
    ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    client = client_for(owner)
    assert labels(client.get("/pickers/contacts/?q=%25")) == []
    assert labels(client.get("/pickers/contacts/?q=_nn")) == []


def test_the_company_filter_narrows_contacts_to_that_company(owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    ContactFactory(account=owner.account, first_name="Ann", last_name="In", company=acme)
    ContactFactory(account=owner.account, first_name="Ann", last_name="Out")
    client = client_for(owner)
    assert labels(client.get(f"/pickers/contacts/?q=ann&company={acme.pk}")) == ["Ann In"]
    # Not an id: ignored, never a 500.
    assert len(labels(client.get("/pickers/contacts/?q=ann&company=%C2%B2"))) == 2


def test_companies_are_found_by_name_then_domain(owner):
    CompanyFactory(account=owner.account, name="Acme Corp", domain="acme.com")
    CompanyFactory(account=owner.account, name="Zeta", domain="acmeish.io")
    client = client_for(owner)
    assert labels(client.get("/pickers/companies/?q=acme")) == ["Acme Corp", "Zeta"]
    assert labels(client.get("/pickers/companies/?q=acme c")) == ["Acme Corp"]


def test_deals_are_found_by_title(owner, pipeline):
    DealFactory(pipeline=pipeline, title="Big renewal")
    DealFactory(pipeline=pipeline, title="Small upsell")
    response = client_for(owner).get("/pickers/deals/?q=big")
    assert labels(response) == ["Big renewal"]
    assert not offers_create(response)  # a deal needs its own form


def test_owners_are_the_accounts_members_by_name(owner, teammate, outsider):
    owner.user.first_name, owner.user.last_name = "Olivia", "Owner"
    owner.user.save()
    teammate.user.first_name, teammate.user.last_name = "Tom", "Mate"
    teammate.user.save()
    UserFactory(first_name="Tomas", last_name="Nobody")  # in no account
    client = client_for(owner)
    assert labels(client.get("/pickers/owners/?q=to")) == ["Tom Mate"]
    assert labels(client.get("/pickers/owners/?q=mate t")) == ["Tom Mate"]
    assert labels(client.get(f"/pickers/owners/?q={outsider.user.username}")) == []


def test_another_accounts_records_never_appear(owner, outsider):
    ContactFactory(account=outsider.account, first_name="Secret", last_name="Person")
    CompanyFactory(account=outsider.account, name="Secret Co")
    client = client_for(owner)
    for kind in ("contacts", "companies", "deals", "owners"):
        for query in ("", "secret", "s"):
            body = client.get(f"/pickers/{kind}/?q={query}").content.decode()
            assert "Secret" not in body.replace("“secret”", ""), (kind, query)


def test_create_is_offered_when_nothing_matches_exactly(owner):
    ContactFactory(account=owner.account, first_name="Anna", last_name="Lee")
    client = client_for(owner)
    response = client.get("/pickers/contacts/?q=Ann Lee")
    assert offers_create(response)
    assert "Create new contact “Ann Lee”" in response.content.decode()
    assert not offers_create(client.get("/pickers/contacts/?q=anna lee"))  # that one exists
    assert not offers_create(client.get("/pickers/contacts/?q=  "))


def test_the_typed_text_is_escaped(owner):
    body = client_for(owner).get("/pickers/companies/?q=<b>x").content.decode()
    assert "<b>" not in body and "&lt;b&gt;x" in body


def test_a_contact_created_inline_is_recorded_and_answered_as_its_option(owner):
    response = client_for(owner).post(
        "/pickers/contacts/new/", {"name": "  Ann   van Lee "}, **HTMX
    )
    assert response.status_code == 201
    contact = Contact.objects.for_account(owner.account).get()
    assert (contact.first_name, contact.last_name) == ("Ann", "van Lee")
    assert f'data-value="{contact.pk}"' in response.content.decode()
    assert 'data-label="Ann van Lee"' in response.content.decode()
    event = Event.objects.for_account(owner.account).get(type="contact.created")
    assert (event.record_id, event.source, event.actor_id) == (contact.pk, Source.UI, owner.user.pk)


def test_a_company_created_inline_is_recorded(owner):
    response = client_for(owner).post("/pickers/companies/new/", {"name": "Initech"})
    assert response.status_code == 201
    company = Company.objects.for_account(owner.account).get()
    assert company.name == "Initech"
    assert (
        Event.objects.for_account(owner.account)
        .filter(type="company.created", record_id=company.pk)
        .exists()
    )


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("contacts", ""),
        ("contacts", "   "),
        ("contacts", "a" * 101),
        ("companies", ""),
        ("companies", "x" * 201),
    ],
)
def test_a_bad_name_is_a_400_with_the_reason_and_writes_nothing(owner, kind, name):
    response = client_for(owner).post(f"/pickers/{kind}/new/", {"name": name})
    assert response.status_code == 400
    assert response.content.decode().strip()
    for model in (Contact, Company, Event):
        assert not model.objects.for_account(owner.account).exists()


def test_create_is_post_only_and_search_is_get_only(owner):
    client = client_for(owner)
    assert client.get("/pickers/contacts/new/").status_code == 405
    assert client.post("/pickers/contacts/", {"q": "a"}).status_code == 405


def test_pickers_need_a_signed_in_user(client, owner):
    assert client.get("/pickers/contacts/?q=a").status_code == 302
    assert client.post("/pickers/companies/new/", {"name": "X"}).status_code == 302
    assert not Company.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("kind", ["contacts", "companies", "deals", "owners"])
@pytest.mark.parametrize("query", ["", "a", "an zz"])
def test_a_keystroke_costs_the_same_queries_at_any_size(owner, pipeline, kind, query):
    client = client_for(owner)

    def grow(n):
        for i in range(n):
            company = CompanyFactory(account=owner.account, name=f"Alpha {i}")
            contact = ContactFactory(account=owner.account, first_name=f"Ann{i}", company=company)
            DealFactory(pipeline=pipeline, title=f"Alpha deal {i}", contact=contact)

    def queries():
        with capture_queries() as captured:
            assert client.get(f"/pickers/{kind}/?q={query}", **HTMX).status_code == 200
        return captured

    grow(2)
    small = queries()
    grow(15)
    large = queries()
    # Session, user and membership, then one range scan per key of the model.
    keys = {"contacts": 3, "companies": 2, "deals": 1, "owners": 1}[kind]
    assert_same_count(small, large, at_most=3 + (keys if query else 1))


def plans(sql_statements) -> list[str]:
    """EXPLAIN of each statement with sequential scans, bitmap scans and sorts priced
    out: what remains is an ordered index range, if any index fits."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        found = []
        for sql in sql_statements:
            cursor.execute("EXPLAIN " + sql)
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


@pytest.mark.single_node_plan
@pytest.mark.parametrize(
    ("kind", "table", "count"),
    [
        ("contacts", "contacts_contact", 3),
        ("companies", "companies_company", 2),
        ("deals", "deals_deal", 1),
    ],
)
def test_each_keystroke_is_an_index_range_in_the_answers_order(owner, pipeline, kind, table, count):
    DealFactory(
        pipeline=pipeline, title="Ann's deal", contact=ContactFactory(account=owner.account)
    )
    with capture_queries() as captured:
        client_for(owner).get(f"/pickers/{kind}/?q=ann l")
    statements = captured.matching(f'FROM "{table}"')
    assert len(statements) == count
    for plan in plans(statements):
        # The typed prefix bounds the index range (not a filter over the account's rows).
        assert "_prefix on" in plan and re.search(r"Index Cond: .*>= 'ann l'", plan), plan
        assert "Sort" not in plan and "Seq Scan" not in plan and "Bitmap" not in plan, plan
