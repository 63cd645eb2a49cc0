"""Every list costs the same number of queries whatever the data or page size."""

import pytest

from tests.factories import ContactFactory, ContactTagFactory, MembershipFactory, TagFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with capture_queries() as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return ctx


def grow_contacts(account, n, tags):
    for contact in ContactFactory.create_batch(n, account=account, first_name="Anna"):
        for tag in tags:
            ContactTagFactory(contact=contact, tag=tag, account=account)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/crm/contacts/?page_size=100",
        "/api/v1/crm/contacts/?page_size=100&search=a&ordering=-created_at",
        "/api/v1/crm/contacts/?page_size=100&tag=t0&owner=me",
    ],
)
def test_contact_list_queries_do_not_grow_with_rows(owner, url):
    tags = [TagFactory(account=owner.account, name=f"t{i}") for i in range(3)]
    grow_contacts(owner.account, 3, tags)
    small = queries_for(owner.client, url)
    grow_contacts(owner.account, 60, tags)
    large = queries_for(owner.client, url)
    assert_same_count(small, large, at_most=5)  # token, membership, count, rows, tags


def test_tag_list_queries_do_not_grow_with_rows(owner):
    TagFactory.create_batch(2, account=owner.account)
    small = queries_for(owner.client, "/api/v1/crm/tags/?page_size=100")
    TagFactory.create_batch(50, account=owner.account)
    large = queries_for(owner.client, "/api/v1/crm/tags/?page_size=100")
    assert_same_count(small, large, at_most=4)


def test_member_list_queries_do_not_grow_with_members(owner):
    small = queries_for(owner.client, "/api/v1/crm/members/")
    MembershipFactory.create_batch(15, account=owner.account)
    large = queries_for(owner.client, "/api/v1/crm/members/")
    assert_same_count(small, large, at_most=4)


def test_me_queries_do_not_grow_with_memberships(owner):
    small = queries_for(owner.client, "/api/v1/me/")
    MembershipFactory.create_batch(5, user=owner.user)
    large = queries_for(owner.client, "/api/v1/me/")
    assert_same_count(small, large)


@pytest.mark.parametrize(
    "path", ["/api/v1/crm/contacts/", "/api/v1/crm/companies/", "/api/v1/crm/tags/"]
)
def test_lists_cost_the_same_whatever_the_page_size(owner, path):
    from tests.factories import CompanyFactory, CompanyTagFactory

    tags = [TagFactory(account=owner.account, name=f"t{i}") for i in range(30)]
    grow_contacts(owner.account, 30, tags[:2])
    for company in CompanyFactory.create_batch(30, account=owner.account):
        CompanyTagFactory(company=company, tag=tags[0])
        ContactFactory(account=owner.account, company=company)
    one, five, hundred = (queries_for(owner.client, f"{path}?page_size={n}") for n in (1, 5, 100))
    assert_same_count(one, five)
    assert_same_count(one, hundred)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/crm/deals/?status=open&status=won",
        "/api/v1/crm/activities/?type=call&type=task&status=pending",
        "/api/v1/crm/notes/?kind=note&kind=email",
    ],
)
def test_repeatable_filters_need_no_distinct(owner, url):
    from tests.factories import ActivityFactory, DealFactory, NoteFactory, PipelineFactory

    DealFactory(pipeline=PipelineFactory(account=owner.account))
    ActivityFactory(account=owner.account, type="call")
    NoteFactory(account=owner.account, kind="note")
    queries = queries_for(owner.client, url)
    assert not [sql for sql in queries.sql if "DISTINCT" in sql.upper()], str(queries)
    assert len(owner.client.get(url).json()["results"]) == 1
