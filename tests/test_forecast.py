"""GET /deals/forecast/: hand-worked totals, weighting, rounding, filters, query count."""

import datetime as dt

import pytest

from deals.forecast import forecast
from deals.models import Deal, Stage
from deals.services import deal_abandon, deal_lose, deal_win
from events.models import Source
from tests.factories import DealFactory, PipelineFactory
from tests.queries import assert_queries, assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/deals/forecast/"


def stage(pipeline, name):
    return Stage.objects.for_account(pipeline.account).get(pipeline=pipeline, name=name)


@pytest.fixture
def book(owner):
    """Deals worked out by hand below (stages: Lead 10, Qualified 25, Proposal 50,
    Negotiation 75)."""
    sales = PipelineFactory(account=owner.account, name="Sales")
    deal = lambda **kw: DealFactory(pipeline=sales, **kw)  # noqa: E731
    deal(stage=stage(sales, "Lead"), value_cents=100_000)  # 100000 × 10
    deal(stage=stage(sales, "Proposal"), value_cents=333_333, probability=33)  # × 33
    deal(stage=stage(sales, "Negotiation"), value_cents=1)  # 1 × 75
    deal_win(deal=deal(value_cents=50_000), by=None, source=Source.SYSTEM)
    deal_lose(deal=deal(value_cents=20_000), by=None, source=Source.SYSTEM, reason="price")
    deal_abandon(deal=deal(value_cents=7), by=None, source=Source.SYSTEM)
    for _ in range(3):  # 3 × (1 × 50): 1.5 cents, rounded once → 2 (not 3, not 0)
        deal(stage=stage(sales, "Proposal"), value_cents=1, currency="EUR")
    deal_win(deal=deal(value_cents=999, currency="EUR"), by=None, source=Source.SYSTEM)
    alpha = PipelineFactory(account=owner.account, name="Alpha", stages=[("Only", 20)])
    DealFactory(pipeline=alpha, value_cents=10, currency="USD")  # 10 × 20
    return sales, alpha


def test_totals_are_per_currency_and_never_mixed(owner, book):
    body = owner.client.get(URL).json()
    assert body["totals"] == [
        {
            "currency": "EUR",
            "open_count": 3,
            "open_value_cents": 3,
            "weighted_value_cents": 2,
            "won_count": 1,
            "won_value_cents": 999,
            "lost_count": 0,
            "lost_value_cents": 0,
            "abandoned_count": 0,
            "abandoned_value_cents": 0,
        },
        # (1,000,000 + 10,999,989 + 75 + 200) / 100 = 120,002.64 → 120,003
        {
            "currency": "USD",
            "open_count": 4,
            "open_value_cents": 433_344,
            "weighted_value_cents": 120_003,
            "won_count": 1,
            "won_value_cents": 50_000,
            "lost_count": 1,
            "lost_value_cents": 20_000,
            "abandoned_count": 1,
            "abandoned_value_cents": 7,
        },
    ]


def test_stages_are_in_pipeline_and_stage_order_with_open_deals_only(owner, book):
    sales, alpha = book
    body = owner.client.get(URL).json()
    rows = [
        (
            s["pipeline"],
            s["name"],
            s["currency"],
            s["open_count"],
            s["open_value_cents"],
            s["weighted_value_cents"],
        )
        for s in body["stages"]
    ]
    assert rows == [
        (alpha.pk, "Only", "USD", 1, 10, 2),
        (sales.pk, "Lead", "USD", 1, 100_000, 10_000),
        (sales.pk, "Proposal", "EUR", 3, 3, 2),
        (sales.pk, "Proposal", "USD", 1, 333_333, 110_000),  # 109,999.89 → 110,000
        (sales.pk, "Negotiation", "USD", 1, 1, 1),  # 0.75 → 1
    ]
    assert body["stages"][1]["stage"] == stage(sales, "Lead").pk


def test_the_forecast_honours_the_list_filters(owner, teammate, book):
    sales, alpha = book
    body = owner.client.get(URL, {"pipeline": alpha.pk}).json()
    assert [
        (t["currency"], t["open_count"], t["weighted_value_cents"]) for t in body["totals"]
    ] == [("USD", 1, 2)]
    DealFactory(
        pipeline=alpha,
        owner=teammate.user,
        value_cents=500,
        expected_close_date=dt.date(2030, 1, 1),
    )
    mine = owner.client.get(URL, {"owner": teammate.user.pk}).json()
    assert [(t["open_count"], t["open_value_cents"]) for t in mine["totals"]] == [(1, 500)]
    later = owner.client.get(URL, {"expected_close_after": "2029-01-01"}).json()
    assert [t["open_value_cents"] for t in later["totals"]] == [500]
    won = owner.client.get(URL, {"status": "won"}).json()
    assert {t["currency"]: t["won_count"] for t in won["totals"]} == {"EUR": 1, "USD": 1}
    assert won["stages"] == []


def test_no_deals_means_empty_lists(owner):
    assert owner.client.get(URL).json() == {"totals": [], "stages": []}


def test_bad_filters_are_a_400(owner):
    assert owner.client.get(URL, {"pipeline": "x"}).status_code == 400


def test_the_forecast_costs_the_same_queries_whatever_the_deal_count(owner):
    pipeline = PipelineFactory(account=owner.account)

    def count():
        with capture_queries() as ctx:
            assert owner.client.get(URL).status_code == 200
        return ctx

    DealFactory.create_batch(3, pipeline=pipeline)
    small = count()
    DealFactory.create_batch(60, pipeline=pipeline, currency="EUR")
    for deal in DealFactory.create_batch(10, pipeline=pipeline):
        deal_win(deal=deal, by=None, source=Source.SYSTEM)
    assert_same_count(small, count(), at_most=4)


def test_huge_values_are_summed_exactly(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("S", 99)])
    for _ in range(5):
        DealFactory(pipeline=pipeline, value_cents=10**13 - 1)
    total = owner.client.get(URL).json()["totals"][0]
    assert total["open_value_cents"] == 5 * (10**13 - 1)
    assert total["weighted_value_cents"] == (5 * (10**13 - 1) * 99 + 50) // 100


# -- the grouped pass: groups folded in Python must give the same exact arithmetic ------


def test_many_probability_overrides_in_one_stage_are_each_weighted(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("S", 40)])
    for probability in range(0, 101, 10):  # 11 groups, one per override
        DealFactory(pipeline=pipeline, value_cents=1_001, probability=probability)
    DealFactory(pipeline=pipeline, value_cents=1_001)  # the stage's 40
    body = owner.client.get(URL).json()
    # 1001 × (0 + 10 + … + 100 + 40) = 1001 × 590 = 590,590 hundredths → 5,905.90 → 5,906
    assert body["totals"][0]["weighted_value_cents"] == 5_906
    assert body["stages"][0]["weighted_value_cents"] == 5_906
    assert body["stages"][0]["open_count"] == 12


def test_a_stage_with_two_currencies_has_a_row_for_each(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("S", 25)])
    DealFactory(pipeline=pipeline, value_cents=400, currency="USD")
    DealFactory(pipeline=pipeline, value_cents=800, currency="EUR", probability=50)
    DealFactory(pipeline=pipeline, value_cents=200, currency="EUR")
    rows = [
        (s["currency"], s["open_count"], s["open_value_cents"], s["weighted_value_cents"])
        for s in owner.client.get(URL).json()["stages"]
    ]
    assert rows == [("EUR", 2, 1_000, 450), ("USD", 1, 400, 100)]  # 400 + 50; 100


def test_rounding_happens_once_across_groups(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("A", 50), ("B", 50)])
    a, b = stage(pipeline, "A"), stage(pipeline, "B")
    DealFactory(pipeline=pipeline, stage=a, value_cents=1)  # three groups of 0.5 cent:
    DealFactory(pipeline=pipeline, stage=a, value_cents=1, probability=50)  # an override
    DealFactory(pipeline=pipeline, stage=b, value_cents=1)  # another stage
    body = owner.client.get(URL).json()
    # 1.5 cents → 2 in total; rounding each group (or deal) first would give 3.
    assert body["totals"][0]["weighted_value_cents"] == 2
    # Each stage row is rounded once too: A 0.5 + 0.5 = 1; B 0.5 → 1 (half up).
    assert [(s["name"], s["weighted_value_cents"]) for s in body["stages"]] == [("A", 1), ("B", 1)]


def test_rounding_per_group_would_be_wrong(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("S", 30)])
    DealFactory(pipeline=pipeline, value_cents=1, probability=10)  # 0.1 cent
    DealFactory(pipeline=pipeline, value_cents=1, probability=20)  # 0.2
    DealFactory(pipeline=pipeline, value_cents=1)  # 0.3 (the stage's 30%)
    # Exactly 0.6 cent → 1; rounding each group first would give 0 + 0 + 0 = 0.
    assert owner.client.get(URL).json()["totals"][0]["weighted_value_cents"] == 1


def test_the_grouped_pass_reads_deals_alone(owner, book):
    """The API's list queryset joins stages (for `stage_probability`); the forecast's pass
    over the deals must not, or it reads a stage row per deal."""
    with capture_queries() as ctx:
        owner.client.get(URL, {"search": "Deal", "status": ["open", "won"]})
    grouped = ctx.matching("GROUP BY")
    assert len(grouped) == 1 and "JOIN" not in grouped[0].upper()


def test_filters_through_a_join_keep_it(owner, book):
    sales, _ = book
    deals = Deal.objects.for_account(owner.account)
    by_name = forecast(deals.filter(stage__name="Proposal"))
    assert [(s["currency"], s["open_count"]) for s in by_name["stages"]] == [("EUR", 3), ("USD", 1)]
    # A filter on the annotation itself reads the stage through its join.
    likely = forecast(deals.with_stage_probability().filter(stage_probability__gte=50))
    assert [(s["name"], s["currency"]) for s in likely["stages"]] == [
        ("Proposal", "EUR"),
        ("Proposal", "USD"),
        ("Negotiation", "USD"),
    ]
    assert likely == forecast(deals.filter(stage__probability__gte=50))


def test_closed_deals_alone_cost_one_query(owner, book):
    deals = Deal.objects.for_account(owner.account).filter(status__in=Deal.CLOSED)
    with assert_queries(1):
        result = forecast(deals)
    assert result["stages"] == []
    assert {t["currency"]: t["won_count"] for t in result["totals"]} == {"EUR": 1, "USD": 1}
