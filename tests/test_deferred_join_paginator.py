"""Deep pages load through their ids (lib/paginator.py) and match plain OFFSET."""

import pytest
from django.core.paginator import Paginator
from django.db import connection

from companies.models import Company
from contacts.models import Contact
from lib import paginator as paginator_module
from lib.paginator import CappedCountPaginator, DeferredJoinPaginator
from tests.factories import CompanyFactory, ContactFactory
from tests.queries import capture_queries


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
        with capture_queries() as ctx:
            got = [c.pk for c in deferred.page(number)]
        assert got == expected, number
        page_sql = [sql for sql in ctx.sql if sql.startswith('SELECT "contacts_contact"')]
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


# -- CappedCountPaginator: counts stop `cap` rows past the page asked for -------------


def capped(account, number, cap=5):
    # Filtered: an account's whole table has a kept count, which is read exactly.
    rows = Contact.objects.for_account(account).filter(last_name__startswith="L")
    return CappedCountPaginator(rows.order_by("last_name", "id"), 3, cap=cap, number=number)


@pytest.mark.django_db
def test_a_kept_count_is_read_exactly_not_capped(account):
    """A count the database keeps (the row counters; one custom field value on
    PostgreSQL) costs one row or an index-only scan: the paginator reads it whole."""
    for n in range(12):
        ContactFactory(account=account, last_name=f"L{n:02}", custom_fields={"s": "web"})
    querysets = [Contact.objects.for_account(account)]
    if connection.vendor == "postgresql":
        querysets.append(
            Contact.objects.for_account(account).filter(custom_fields__contains={"s": "web"})
        )
    for rows in querysets:
        pages = CappedCountPaginator(rows.order_by("last_name", "id"), 3, cap=5, number=1)
        with capture_queries() as ctx:
            assert (pages.count, pages.count_is_exact, pages.count_shown) == (12, True, "12")
        assert len(ctx.sql) == 1 and "LIMIT" not in ctx.sql[0]


@pytest.mark.django_db
def test_a_capped_count_stops_past_the_cap_and_says_so(account):
    for n in range(12):
        ContactFactory(account=account, last_name=f"L{n:02}")
    pages = capped(account, 1)
    page = pages.get_page(1)
    assert (pages.count, pages.count_is_exact) == (6, False)
    assert (pages.count_shown, pages.num_pages_shown) == ("5+", "2+")
    assert page.has_next() and [c.last_name for c in page] == ["L00", "L01", "L02"]


@pytest.mark.django_db
def test_a_capped_count_reaches_as_far_as_the_page_asked_for(account):
    for n in range(12):
        ContactFactory(account=account, last_name=f"L{n:02}")
    pages = capped(account, 4)  # rows 10-12: the cap counts from row 10 on
    page = pages.get_page(4)
    assert (pages.count, pages.count_is_exact, pages.count_shown) == (12, True, "12")
    assert [c.last_name for c in page] == ["L09", "L10", "L11"] and not page.has_next()


@pytest.mark.django_db
@pytest.mark.parametrize("number", [None, "", "abc", "0", "99", "99999999999999999999"])
def test_a_capped_count_of_a_bad_or_far_page_number_still_finds_a_page(account, number):
    for n in range(4):
        ContactFactory(account=account, last_name=f"L{n:02}")
    pages = capped(account, number)
    page = pages.get_page(number)
    assert page.number in (1, 2) and pages.count == 4 and pages.count_is_exact


@pytest.mark.django_db
def test_a_capped_count_is_one_query_with_a_limit(account):
    for n in range(8):
        ContactFactory(account=account, last_name=f"L{n:02}")
    pages = capped(account, 1, cap=2)
    with capture_queries() as ctx:
        assert pages.count == 3
    (sql,) = ctx.sql
    assert sql.startswith("SELECT COUNT(*)") and "LIMIT 3" in sql
