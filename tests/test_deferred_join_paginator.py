"""Deep pages load through their ids (lib/paginator.py) and match plain OFFSET."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from contacts.models import Contact
from lib import paginator as paginator_module
from lib.paginator import DeferredJoinPaginator
from tests.factories import CompanyFactory, ContactFactory


@pytest.fixture
def deferred_from_page_two(monkeypatch):
    monkeypatch.setattr(paginator_module, "DEFERRED_FROM", 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering", [("last_name", "first_name", "id"), ("-created_at", "-id"), ("first_name", "-id")]
)
def test_every_page_matches_plain_offset(account, deferred_from_page_two, ordering):
    for n in range(22):  # 4 pages of 5, the last with 2 orphans
        ContactFactory(account=account, first_name=f"F{n % 4}", last_name=f"L{n % 3}")
    rows = Contact.objects.for_account(account).prefetch_related("tags").order_by(*ordering)
    plain, deferred = Paginator(rows, 5, orphans=2), DeferredJoinPaginator(rows, 5, orphans=2)
    assert deferred.num_pages == plain.num_pages == 4
    for number in plain.page_range:
        expected = [c.pk for c in plain.page(number)]
        with CaptureQueriesContext(connection) as ctx:
            got = [c.pk for c in deferred.page(number)]
        assert got == expected, number
        page_sql = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith('SELECT "contacts_contact"')
        ]
        assert len(page_sql) == 1
        assert ("IN (SELECT" in page_sql[0]) == (number > 1)


@pytest.mark.django_db
def test_annotated_company_lists_page_deep_too(account, deferred_from_page_two):
    for n in range(12):
        CompanyFactory(account=account, name=f"Co {n:02}")
    rows = Company.objects.for_account(account).with_contact_count().order_by("name", "id")
    pages = DeferredJoinPaginator(rows, 5)
    assert [c.name for c in pages.page(3)] == ["Co 10", "Co 11"]
    assert all(hasattr(c, "contact_count") for c in pages.page(2))


@pytest.mark.django_db
def test_the_api_deep_page_is_the_same_page(owner, deferred_from_page_two):
    for n in range(30):
        ContactFactory(account=owner.account, last_name=f"Name{n:02}")
    body = owner.client.get("/api/v1/crm/contacts/?page=3&page_size=10").json()
    assert [c["last_name"] for c in body["results"]] == [f"Name{n}" for n in range(20, 30)]
    assert body["count"] == 30 and body["next"] is None
