"""The pipeline board: columns, totals per currency, filters, moves from the board."""

import json

import pytest
from django.utils import timezone

from deals.models import Deal
from deals.services import deal_lose, deal_win
from events.models import Source
from tests.factories import CompanyFactory, DealFactory, PipelineFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def test_the_board_shows_a_column_per_stage_with_open_deals(owner, pipeline):
    company = CompanyFactory(account=owner.account, name="Initech")
    DealFactory(
        pipeline=pipeline,
        title="Big licence",
        company=company,
        owner=owner.user,
        value_cents=1_250_000,
    )
    won = DealFactory(pipeline=pipeline, title="Already won")
    deal_win(deal=won, by=None, source=Source.SYSTEM)
    response = client_for(owner).get("/pipeline/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Lead", "Qualified", "Proposal", "Negotiation"):
        assert name in html
    assert "Big licence" in html and "Initech" in html
    assert "12,500 USD" in html
    assert "Already won" not in html  # closed deals leave the board
    assert "Won in" in html


def test_column_totals_are_per_currency_and_weighted(owner, pipeline):
    lead = stage(pipeline, "Lead")
    DealFactory(pipeline=pipeline, stage=lead, value_cents=100_000, currency="USD")
    DealFactory(pipeline=pipeline, stage=lead, value_cents=300_000, currency="USD")
    DealFactory(pipeline=pipeline, stage=lead, value_cents=50_000, currency="EUR")
    response = client_for(owner).get("/pipeline/")
    html = response.content.decode()
    assert "4,000 USD" in html and "weighted 400 USD" in html  # Lead is 10%
    assert "500 EUR" in html and "weighted 50 EUR" in html
    columns = response.context["columns"]
    assert columns[0].count == 3


def test_the_board_filters_by_owner(owner, teammate, pipeline):
    DealFactory(pipeline=pipeline, title="Olivia deal", owner=owner.user)
    DealFactory(pipeline=pipeline, title="Tom deal", owner=teammate.user)
    html = client_for(owner).get(f"/pipeline/?owner={teammate.user.pk}").content.decode()
    assert "Tom deal" in html and "Olivia deal" not in html
    html = client_for(owner).get("/pipeline/?owner=me").content.decode()
    assert "Olivia deal" in html and "Tom deal" not in html


def test_the_board_switches_pipeline_and_remembers_it(owner, pipeline):
    other = PipelineFactory(account=owner.account, name="Renewals")
    DealFactory(pipeline=other, title="Renewal deal")
    DealFactory(pipeline=pipeline, title="Sales deal")
    client = client_for(owner)
    html = client.get(f"/pipeline/?pipeline={other.pk}").content.decode()
    assert "Renewal deal" in html and "Sales deal" not in html
    assert "Renewal deal" in client.get("/pipeline/").content.decode()


def test_the_board_links_to_its_pipelines_deals_as_a_list(owner, pipeline):
    DealFactory(pipeline=pipeline, title="Listed deal")
    client = client_for(owner)
    html = client.get(f"/pipeline/?pipeline={pipeline.pk}").content.decode()
    assert f'href="/deals/?pipeline={pipeline.pk}">All deals as a list</a>' in html
    assert "Listed deal" in client.get(f"/deals/?pipeline={pipeline.pk}").content.decode()


def test_bad_filters_are_ignored_not_errors(owner, pipeline):
    client = client_for(owner)
    for query in (
        "?pipeline=abc",
        "?pipeline=99999999999999999999",
        "?owner=xyz",
        "?owner=-1",
        "?pipeline=%00",
    ):
        assert client.get(f"/pipeline/{query}").status_code in (200, 400)


def test_another_accounts_pipeline_is_not_shown(owner, outsider, pipeline):
    DealFactory(pipeline=pipeline, title="Secret deal")
    html = client_for(outsider).get(f"/pipeline/?pipeline={pipeline.pk}").content.decode()
    assert "Secret deal" not in html and "Sales" not in html.split("<main", 1)[1]


def test_htmx_gets_the_board_partial(owner, pipeline):
    DealFactory(pipeline=pipeline, title="Partial deal")
    response = client_for(owner).get("/pipeline/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "Partial deal" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_a_move_over_htmx_answers_the_board_with_a_toast(owner, pipeline):
    deal = DealFactory(pipeline=pipeline, title="Mover")
    proposal = stage(pipeline, "Proposal")
    response = client_for(owner).post(
        f"/deals/{deal.pk}/move/", {"stage": proposal.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="board"')
    assert f'data-focus="deal-{deal.pk}"' in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"toast": "“Mover” moved to Proposal."}
    deal.refresh_from_db()
    assert deal.stage == proposal


def test_moving_a_closed_deal_is_a_409_with_a_message(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = client_for(owner).post(
        f"/deals/{deal.pk}/move/",
        {"stage": stage(pipeline, "Proposal").pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Cannot move a deal that is won" in response.content.decode()
    assert "Cannot move" in json.loads(response["HX-Trigger"])["toast"]


def test_moving_to_a_stage_of_another_pipeline_is_refused(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    foreign = PipelineFactory(account=owner.account).stages.first()
    response = client_for(owner).post(
        f"/deals/{deal.pk}/move/", {"stage": foreign.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.stage != foreign


def test_winning_from_the_board_removes_the_card(owner, pipeline):
    deal = DealFactory(pipeline=pipeline, title="Closer")
    response = client_for(owner).post(
        f"/deals/{deal.pk}/win/", {"owner": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert f'id="deal-{deal.pk}"' not in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON


def test_losing_from_the_board_keeps_the_reason(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    client_for(owner).post(
        f"/deals/{deal.pk}/lose/", {"reason": "Too expensive"}, headers={"HX-Request": "true"}
    )
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (Deal.Status.LOST, "Too expensive")


def test_an_action_keeps_the_owner_filter(owner, teammate, pipeline):
    mine = DealFactory(pipeline=pipeline, title="Mine", owner=owner.user)
    DealFactory(pipeline=pipeline, title="Theirs", owner=teammate.user)
    response = client_for(owner).post(
        f"/deals/{mine.pk}/move/",
        {"stage": stage(pipeline, "Qualified").pk, "owner": "me"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_closed_this_month_summary(owner, pipeline):
    won = DealFactory(pipeline=pipeline, value_cents=500_000)
    deal_win(deal=won, by=None, source=Source.SYSTEM)
    lost = DealFactory(pipeline=pipeline, value_cents=70_000)
    deal_lose(deal=lost, by=None, source=Source.SYSTEM, reason="No budget")
    html = client_for(owner).get("/pipeline/").content.decode()
    assert "5,000 USD" in html and "700 USD" in html


def test_an_account_without_pipelines_gets_an_empty_state(owner):
    html = client_for(owner).get("/pipeline/").content.decode()
    assert "No pipeline yet" in html


def _board_queries(client):
    with capture_queries() as ctx:
        assert client.get("/pipeline/").status_code == 200
    return ctx


def test_the_board_costs_the_same_queries_whatever_the_deal_count(owner, teammate, pipeline):
    client = client_for(owner)
    company = CompanyFactory(account=owner.account)
    DealFactory(pipeline=pipeline, owner=owner.user, company=company)
    client.get("/pipeline/")  # the session's pipeline is settled after the first visit
    few = _board_queries(client)
    stages = list(pipeline.stages.all())
    for i in range(30):
        deal = DealFactory(
            pipeline=pipeline,
            stage=stages[i % 4],
            currency=("USD", "EUR")[i % 2],
            owner=(owner.user, teammate.user)[i % 2],
            company=CompanyFactory(account=owner.account),
        )
        if i % 5 == 0:
            deal_win(deal=deal, by=None, source=Source.SYSTEM)
    assert_same_count(few, _board_queries(client))


def test_a_move_costs_the_same_queries_whatever_the_deal_count(owner, pipeline):
    client = client_for(owner)
    deal = DealFactory(pipeline=pipeline)
    stages = list(pipeline.stages.all())

    def move_queries(target):
        with capture_queries() as ctx:
            client.post(
                f"/deals/{deal.pk}/move/", {"stage": target.pk}, headers={"HX-Request": "true"}
            )
        return ctx

    few = move_queries(stages[1])
    for i in range(20):
        DealFactory(
            pipeline=pipeline, stage=stages[i % 4], company=CompanyFactory(account=owner.account)
        )
    assert_same_count(few, move_queries(stages[2]))


def test_the_board_is_for_signed_in_users(client):
    response = client.get("/pipeline/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_closed_at_month_boundary_uses_the_account_zone(owner, pipeline):
    owner.account.time_zone = "Pacific/Auckland"
    owner.account.save()
    deal = DealFactory(pipeline=pipeline)
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = client_for(owner).get("/pipeline/")
    local = timezone.localtime(timezone.now(), owner.account.zone)
    assert response.context["month_name"] == local.strftime("%B")
