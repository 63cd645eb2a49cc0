"""`cf_<key>` filters and `ordering=cf_<key>` on the contacts, companies and deals lists
(contract, "Custom field definitions"): exact values of every type, ranges of numbers
and dates, order with the records lacking a value last, the 400s, tenancy, constant
queries, and on PostgreSQL the GIN index answering the exact filters."""

import pytest
from django.db import connection
from django.http import QueryDict

from companies.models import Company
from contacts.models import Contact
from customfields.filtering import filter_by_custom_fields
from customfields.values import definitions_for
from deals.models import Deal
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
)
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
CRM = "/api/v1/crm"


@pytest.fixture
def fields(owner):
    """The owner's contact fields, one of each type."""
    for key, kind, options in [
        ("source", "select", ["web", "referral", "ads"]),
        ("score", "number", []),
        ("newsletter", "boolean", []),
        ("renewal", "date", []),
        ("nickname", "text", []),
    ]:
        CustomFieldDefinitionFactory(
            account=owner.account, record_type="contact", key=key, type=kind, options=options
        )


@pytest.fixture
def people(owner, fields):
    values = {
        "ann": {"source": "web", "score": 10, "newsletter": True, "renewal": "2026-01-15"},
        "bob": {"source": "referral", "score": 2.5, "newsletter": False, "renewal": "2026-03-01"},
        "cat": {"source": "web", "score": 7, "nickname": "kitty"},
        "dan": {},
        # Stored before the definitions (or by another tool): never matched by a range.
        "eve": {"score": "high", "renewal": "soon", "newsletter": "yes"},
    }
    return {
        name: ContactFactory(account=owner.account, first_name=name, custom_fields=cf)
        for name, cf in values.items()
    }


def names(actor, params, plural="contacts"):
    response = actor.client.get(f"{CRM}/{plural}/", params)
    assert response.status_code == 200, response.json()
    key = "first_name" if plural == "contacts" else ("name" if plural == "companies" else "title")
    return [row[key] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cf_source": "web"}, ["ann", "cat"]),
        ({"cf_source": "WEB"}, ["ann", "cat"]),
        ({"cf_score": "10"}, ["ann"]),
        ({"cf_score": "10.0"}, ["ann"]),
        ({"cf_score": "2.5"}, ["bob"]),
        ({"cf_newsletter": "true"}, ["ann"]),
        ({"cf_newsletter": "false"}, ["bob"]),
        ({"cf_renewal": "2026-03-01"}, ["bob"]),
        ({"cf_nickname": "kitty"}, ["cat"]),
        ({"cf_source": "web", "cf_score": "7"}, ["cat"]),
        ({"cf_source": ""}, ["ann", "bob", "cat", "dan", "eve"]),
    ],
)
def test_exact_filters_match_the_typed_value(owner, people, params, expected):
    assert sorted(names(owner, params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cf_score__gte": "7"}, ["ann", "cat"]),
        ({"cf_score__lte": "7"}, ["bob", "cat"]),
        ({"cf_score__gte": "3", "cf_score__lte": "9"}, ["cat"]),
        ({"cf_renewal__gte": "2026-02-01"}, ["bob"]),
        ({"cf_renewal__lte": "2026-02-01"}, ["ann"]),
        ({"cf_renewal__gte": "2026-01-15", "cf_renewal__lte": "2026-01-15"}, ["ann"]),
    ],
)
def test_ranges_of_numbers_and_dates_match_only_values_of_that_type(
    owner, people, params, expected
):
    assert sorted(names(owner, params)) == expected


def test_ordering_by_a_custom_field_puts_records_without_it_last(owner, people):
    ascending = names(owner, {"ordering": "cf_score", "cf_source": "web"})
    assert ascending == ["cat", "ann"]
    by_score = names(owner, {"ordering": "cf_score"})
    assert by_score[:3] == (
        ["bob", "cat", "ann"] if connection.vendor == "sqlite" else by_score[:3]
    )
    numbers = [n for n in by_score if n in ("ann", "bob", "cat")]
    assert numbers == ["bob", "cat", "ann"]
    assert by_score[-1] == "dan"
    descending = names(owner, {"ordering": "-cf_score"})
    assert [n for n in descending if n in ("ann", "bob", "cat")] == ["ann", "cat", "bob"]
    assert descending[-1] == "dan"
    assert names(owner, {"ordering": "cf_renewal", "cf_renewal__gte": "2000-01-01"}) == [
        "ann",
        "bob",
    ]


def test_ordering_keeps_pages_apart(owner, fields):
    for i in range(5):
        ContactFactory(account=owner.account, first_name=f"p{i}", custom_fields={"score": 1})
    first = names(owner, {"ordering": "cf_score", "page_size": 3})
    second = names(owner, {"ordering": "cf_score", "page_size": 3, "page": 2})
    assert sorted(first + second) == [f"p{i}" for i in range(5)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cf_nope": "1"}, "cf_nope"),
        ({"cf_nope__gte": "1"}, "cf_nope__gte"),
        ({"cf_score": "abc"}, "cf_score"),
        ({"cf_score__gte": "abc"}, "cf_score__gte"),
        ({"cf_newsletter": "maybe"}, "cf_newsletter"),
        ({"cf_renewal": "01/02/2026"}, "cf_renewal"),
        ({"cf_renewal__lte": "2026-02-30"}, "cf_renewal__lte"),
        ({"cf_source": "tv"}, "cf_source"),
        ({"cf_source__gte": "web"}, "cf_source__gte"),
        ({"cf_nickname__lte": "a"}, "cf_nickname__lte"),
        ({"cf_newsletter__gte": "true"}, "cf_newsletter__gte"),
        ({"cf_score__in": "1"}, "cf_score__in"),
        ({"cf_score__gt": "1"}, "cf_score__gt"),
        ({"ordering": "cf_nope"}, "ordering"),
        ({"ordering": "-cf_nope"}, "ordering"),
        ({"ordering": "cf_score,cf_nope"}, "ordering"),
    ],
)
def test_unknown_keys_wrong_values_and_ranges_of_other_types_are_a_400(
    owner, people, params, field
):
    response = owner.client.get(f"{CRM}/contacts/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_accounts_definitions_never_apply(owner, outsider, people):
    CustomFieldDefinitionFactory(
        account=outsider.account, record_type="contact", key="tier", type="text"
    )
    assert owner.client.get(f"{CRM}/contacts/", {"cf_tier": "gold"}).status_code == 400
    ContactFactory(account=outsider.account, custom_fields={"source": "web"})
    # The outsider has no "source" definition of their own...
    assert outsider.client.get(f"{CRM}/contacts/", {"cf_source": "web"}).status_code == 400
    # ...and the owner's filter never reaches the outsider's rows.
    assert sorted(names(owner, {"cf_source": "web"})) == ["ann", "cat"]


def test_a_definition_of_another_record_type_does_not_filter_this_list(owner, fields):
    assert owner.client.get(f"{CRM}/companies/", {"cf_source": "web"}).status_code == 400


def test_companies_and_deals_filter_and_order_too(owner, pipeline):
    CustomFieldDefinitionFactory(account=owner.account, record_type="company", key="tier")
    CustomFieldDefinitionFactory(
        account=owner.account, record_type="deal", key="seats", type="number"
    )
    CompanyFactory(account=owner.account, name="Gold Inc", custom_fields={"tier": "gold"})
    CompanyFactory(account=owner.account, name="Tin Inc", custom_fields={"tier": "tin"})
    assert names(owner, {"cf_tier": "gold"}, "companies") == ["Gold Inc"]
    assert names(owner, {"ordering": "-cf_tier"}, "companies") == ["Tin Inc", "Gold Inc"]
    for title, seats in [("Small", 5), ("Big", 500), ("None", None)]:
        DealFactory(
            pipeline=pipeline,
            title=title,
            custom_fields={} if seats is None else {"seats": seats},
        )
    assert names(owner, {"cf_seats__gte": "10"}, "deals") == ["Big"]
    assert names(owner, {"cf_seats": "5"}, "deals") == ["Small"]
    assert names(owner, {"ordering": "cf_seats"}, "deals") == ["Small", "Big", "None"]
    assert owner.client.get(f"{CRM}/deals/", {"cf_seats": "many"}).status_code == 400
    # The forecast reads the same filters.
    forecast = owner.client.get(f"{CRM}/deals/forecast/", {"cf_seats__gte": "10"}).json()
    assert sum(t["open_count"] for t in forecast["totals"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"cf_source": "web"},
        {"cf_score__gte": "1", "cf_renewal__lte": "2030-01-01"},
        {"ordering": "-cf_score"},
        {"cf_source": "web", "ordering": "cf_score", "search": "a"},
    ],
)
def test_a_filtered_list_costs_the_same_queries_for_few_and_many_contacts(owner, fields, params):
    def grow(n):
        for i in range(n):
            ContactFactory(
                account=owner.account,
                first_name=f"anna{i}",
                custom_fields={"source": "web", "score": i, "renewal": "2026-01-01"},
            )

    def measure():
        with capture_queries() as queries:
            response = owner.client.get(f"{CRM}/contacts/", {**params, "page_size": 100})
        assert response.status_code == 200, response.json()
        return queries

    grow(2)
    small = measure()
    grow(30)
    large = measure()
    # token, membership, definitions, count, rows, tags
    assert_same_count(small, large, at_most=6)


def test_a_list_without_cf_parameters_does_not_read_the_definitions(owner, fields):
    with capture_queries() as queries:
        owner.client.get(f"{CRM}/contacts/")
    assert not queries.matching("customfields_customfielddefinition")


def test_the_filter_is_reusable_outside_the_api(owner, people):
    """The web lists call the same function with their query string."""
    queryset = filter_by_custom_fields(
        Contact.objects.for_account(owner.account),
        definitions_for(owner.account.pk, "contact"),
        QueryDict("cf_source=web&ordering=-cf_score"),
    )
    assert [c.first_name for c in queryset] == ["ann", "cat"]


# -- PostgreSQL: the GIN index answers the exact filters ------------------------------


def plan(queryset) -> str:
    sql, params = queryset.order_by().values_list("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("model", "record_type", "index", "grow"),
    [
        (
            Contact,
            "contact",
            "contact_custom_fields",
            lambda a, cf: Contact(account=a, first_name="x", custom_fields=cf),
        ),
        (
            Company,
            "company",
            "company_custom_fields",
            lambda a, cf: Company(account=a, name="x", custom_fields=cf),
        ),
        (Deal, "deal", "deal_custom_fields", None),
    ],
)
def test_exact_filters_read_the_gin_index_on_postgresql(
    owner, pipeline, model, record_type, index, grow
):
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans")
    CustomFieldDefinitionFactory(
        account=owner.account,
        record_type=record_type,
        key="source",
        type="select",
        options=["web", "ads"],
    )
    # Enough rows, with statistics, for the planner to price the index (a small table
    # is rightly read through the account's btree).
    # `web` is rare (1 in 1,000), so the index wins clearly over reading every row of
    # the account (at 1 in 100 the planner's choice flipped with the statistics).
    sources = ["web" if n % 1000 == 0 else "ads" for n in range(20_000)]
    if grow is None:
        DealFactory(pipeline=pipeline, custom_fields={"source": "web"})
        stage = pipeline.stages.first()
        Deal.objects.for_account(owner.account).bulk_create(
            Deal(
                account=owner.account,
                title="x",
                pipeline=pipeline,
                stage=stage,
                currency="USD",
                custom_fields={"source": s},
            )
            for s in sources
        )
    else:
        model.objects.for_account(owner.account).bulk_create(
            grow(owner.account, {"source": s}) for s in sources
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    queryset = filter_by_custom_fields(
        model.objects.for_account(owner.account),
        definitions_for(owner.account.pk, record_type),
        QueryDict("cf_source=web"),
    )
    sql = str(queryset.query)
    assert "@>" in sql
    explained = plan(queryset)
    assert index in explained, explained
    assert 'Index Cond: (custom_fields @> \'{"source": "web"}\'::jsonb)' in explained, explained
    assert queryset.count() >= 20
