"""`TaggedQuerySet.with_tag_list()`: each record's tags in one query, as lists read them."""

import pytest

from companies.models import Company
from contacts.models import Contact
from tests.factories import (
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    ContactTagFactory,
    TagFactory,
)
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def test_each_record_gets_its_own_tags_in_name_order_in_one_query(account):
    zed, alpha, beta = (TagFactory(account=account, name=n) for n in ("zed", "Alpha", "beta"))
    first, second, bare = ContactFactory.create_batch(3, account=account)
    for contact, tags in ((first, [zed, alpha]), (second, [beta, alpha])):
        for tag in tags:
            ContactTagFactory(contact=contact, tag=tag)
    with assert_queries(2):
        loaded = {c.pk: c for c in Contact.objects.for_account(account).with_tag_list()}
    assert [t.name for t in loaded[first.pk].tag_list] == ["Alpha", "zed"]
    assert [t.name for t in loaded[second.pk].tag_list] == ["Alpha", "beta"]
    assert loaded[bare.pk].tag_list == []
    # The same tags, in the same order, as Django's own many-to-many manager gives.
    for contact in loaded.values():
        assert contact.tag_list == list(contact.tags.all())


def test_works_for_companies_and_through_slices_and_filters(account, other_account):
    company = CompanyFactory(account=account)
    CompanyTagFactory(company=company, tag=TagFactory(account=account, name="key"))
    CompanyTagFactory(company=CompanyFactory(account=other_account))
    page = Company.objects.for_account(account).with_tag_list().filter(pk=company.pk)[:1]
    assert [t.name for t in page[0].tag_list] == ["key"]


def test_values_querysets_are_left_alone(account):
    ContactTagFactory(contact=ContactFactory(account=account))
    rows = list(Contact.objects.for_account(account).with_tag_list().values("id"))
    assert rows == [{"id": rows[0]["id"]}]


def test_the_api_list_shows_every_contacts_own_tags(owner):
    shared = TagFactory(account=owner.account, name="shared")
    for n in range(3):
        contact = ContactFactory(account=owner.account, last_name=f"N{n}")
        ContactTagFactory(contact=contact, tag=shared)
        ContactTagFactory(contact=contact, tag=TagFactory(account=owner.account, name=f"own{n}"))
    body = owner.client.get("/api/v1/crm/contacts/").json()
    assert [[t["name"] for t in c["tags"]] for c in body["results"]] == [
        ["own0", "shared"],
        ["own1", "shared"],
        ["own2", "shared"],
    ]
