"""The lookups a 1,000-row import chunk makes read indexes, not the account's table.

PostgreSQL only (they read its plans), with sequential scans priced out: what is left
is an index when one fits the query, and a priced-out scan when none does.
"""

import pytest
from django.db import connection

from companies.models import Company
from contacts.imports.lookups import Directory
from contacts.models import Contact
from tests.factories import CompanyFactory, ContactFactory
from tests.queries import capture_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans")


def plan(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.single_node_plan
def test_a_long_list_of_emails_reads_the_unique_email_index(account):
    ContactFactory(account=account, email="known@example.com")
    # An account large enough that reading all its rows costs more than 151 lookups,
    # with statistics of its own: on the statistics earlier tests left behind, the
    # planner read the account through contact_by_company when this ran after them.
    Contact.objects.for_account(account).bulk_create(
        (
            Contact(account=account, first_name="P", last_name=f"{n}", email=f"p{n}@example.org")
            for n in range(20_000)
        ),
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_contact")
    # Over 100 values: PostgreSQL no longer proves `email <> ''` from the list itself,
    # so the partial index is usable only because with_emails() says it.
    emails = [f"person{n}@example.com" for n in range(150)] + ["known@example.com"]
    queryset = Contact.objects.for_account(account).with_emails(emails)
    assert list(queryset.values_list("email", flat=True)) == ["known@example.com"]
    sql, params = queryset.order_by().values_list("id").query.sql_with_params()
    assert "contact_unique_email" in plan(sql, params)


def test_companies_named_in_a_chunk_are_found_through_the_lower_case_indexes(account):
    acme = CompanyFactory(account=account, name="Acme Rockets", domain="acme.com")
    # Enough rows, with statistics, for the planner to price an index lookup. (With a
    # chunk's hundreds of names it may rightly prefer to scan a small table.)
    Company.objects.for_account(account).bulk_create(
        Company(account=account, name=f"Other {n}", domain=f"other{n}.example.com")
        for n in range(5_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE companies_company")
    cells = {"ACME ROCKETS", "www.Acme.com", "Nobody Ltd"}
    with capture_queries() as ctx:
        directory = Directory(account, {"company": cells})
    assert directory.company("acme rockets") == acme
    assert directory.company("https://ACME.com/") == acme
    (sql,) = ctx.matching("companies_company")
    found = plan(sql)
    assert "company_by_lower_name" in found and "company_by_lower_domain" in found, found
