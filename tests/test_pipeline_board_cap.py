"""The board's columns past COLUMN_CARDS: the first cards in board order, exact header
totals, a link to the rest, and the deals list that link leads to."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from deals.models import Deal
from deals.services import deal_win
from events.models import Source
from tests.factories import CompanyFactory, DealFactory, PipelineFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
CAP = 3


@pytest.fixture(autouse=True)
def small_columns(monkeypatch):
    monkeypatch.setattr("web.deals.board.COLUMN_CARDS", CAP)


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def column(response, name):
    return next(c for c in response.context["columns"] if c.stage.name == name)


def card_ids(html, stage_id):
    """The deal ids of one column's cards, in page order."""
    cards = html.split(f'data-stage="{stage_id}"', 1)[1].split("</section>", 1)[0]
    return [int(pk) for pk in re.findall(r'<article class="dealcard" id="deal-(\d+)"', cards)]


def test_a_column_shows_its_first_cards_in_board_order(owner, pipeline):
    lead = stage(pipeline, "Lead")
    undated = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=None)
    late = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2031, 1, 1))
    older = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2030, 1, 1))
    newer = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2030, 1, 1))
    Deal.objects.for_account(owner.account).filter(pk=older.pk).update(
        created_at=newer.created_at - dt.timedelta(days=1)
    )
    soonest = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2029, 6, 1))
    response = client_for(owner).get("/pipeline/")
    # Soonest close first, the newest of a day first, undated last (on SQLite too).
    assert card_ids(response.content.decode(), lead.pk) == [soonest.pk, newer.pk, older.pk]
    assert [d.pk for d in column(response, "Lead").deals] == [soonest.pk, newer.pk, older.pk]
    assert late.pk and undated.pk  # past the cap: in the list, not on the board


def test_undated_deals_come_last_when_they_fit(owner, pipeline):
    lead = stage(pipeline, "Lead")
    undated = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=None)
    dated = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2030, 1, 1))
    response = client_for(owner).get("/pipeline/")
    assert [d.pk for d in column(response, "Lead").deals] == [dated.pk, undated.pk]


def test_each_stage_gets_its_own_cards(owner, pipeline):
    for name, count in (("Lead", 5), ("Qualified", 2), ("Proposal", CAP)):
        DealFactory.create_batch(count, pipeline=pipeline, stage=stage(pipeline, name))
    response = client_for(owner).get("/pipeline/")
    shown = {c.stage.name: (len(c.deals), c.count, c.more) for c in response.context["columns"]}
    assert shown == {
        "Lead": (CAP, 5, 2),
        "Qualified": (2, 2, 0),
        "Proposal": (CAP, CAP, 0),
        "Negotiation": (0, 0, 0),
    }


def test_headers_count_and_total_every_open_deal_not_just_the_cards(owner, pipeline):
    lead = stage(pipeline, "Lead")
    DealFactory.create_batch(4, pipeline=pipeline, stage=lead, value_cents=100_000)
    DealFactory(pipeline=pipeline, stage=lead, value_cents=50_000, currency="EUR")
    html = client_for(owner).get("/pipeline/").content.decode()
    assert 'aria-label="5 deals"' in html
    assert "4,000 USD" in html and "weighted 400 USD" in html  # Lead is 10%
    assert "500 EUR" in html and "weighted 50 EUR" in html


def test_a_full_column_ends_with_a_link_to_the_rest_of_its_stage(owner, pipeline):
    lead = stage(pipeline, "Lead")
    DealFactory.create_batch(CAP + 2, pipeline=pipeline, stage=lead)
    DealFactory.create_batch(CAP, pipeline=pipeline, stage=stage(pipeline, "Qualified"))
    response = client_for(owner).get("/pipeline/")
    html = response.content.decode()
    assert "2 more in Lead" in html
    assert "more in Qualified" not in html  # exactly full: nothing hidden
    url = column(response, "Lead").more_url
    assert f'href="{url.replace("&", "&amp;")}"' in html
    assert urlsplit(url).path == "/deals/"
    assert parse_qs(urlsplit(url).query) == {
        "pipeline": [str(pipeline.pk)],
        "stage": [str(lead.pk)],
        "status": ["open"],
    }


def test_the_link_keeps_the_owner_filter(owner, teammate, pipeline):
    DealFactory.create_batch(CAP + 1, pipeline=pipeline, owner=teammate.user)
    response = client_for(owner).get(f"/pipeline/?owner={teammate.user.pk}")
    query = parse_qs(urlsplit(column(response, "Lead").more_url).query)
    assert query["owner"] == [str(teammate.user.pk)]


def test_the_more_link_lists_the_whole_stage_and_nothing_else(owner, pipeline):
    lead = stage(pipeline, "Lead")
    mine = DealFactory.create_batch(CAP + 2, pipeline=pipeline, stage=lead)
    DealFactory(pipeline=pipeline, stage=stage(pipeline, "Qualified"), title="Other stage")
    closed = DealFactory(pipeline=pipeline, stage=lead, title="Closed one")
    deal_win(deal=closed, by=None, source=Source.SYSTEM)
    DealFactory(pipeline=PipelineFactory(account=owner.account), title="Other pipeline")
    client = client_for(owner)
    url = column(client.get(f"/pipeline/?pipeline={pipeline.pk}"), "Lead").more_url
    response = client.get(url)
    assert response.status_code == 200
    assert sorted(d.pk for d in response.context["deals"]) == sorted(d.pk for d in mine)
    html = response.content.decode()
    assert "Other stage" not in html and "Closed one" not in html
    assert "Other pipeline" not in html
    assert f"1–{CAP + 2} of {CAP + 2} deals" in html


def test_moving_a_card_answers_the_capped_board(owner, pipeline):
    lead, proposal = stage(pipeline, "Lead"), stage(pipeline, "Proposal")
    deals = DealFactory.create_batch(
        CAP + 2, pipeline=pipeline, stage=lead, expected_close_date=dt.date(2030, 1, 1)
    )
    mover = deals[0]
    response = client_for(owner).post(
        f"/deals/{mover.pk}/move/", {"stage": proposal.pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="board"')
    assert card_ids(html, proposal.pk) == [mover.pk]
    assert len(card_ids(html, lead.pk)) == CAP and "1 more in Lead" in html


def test_a_card_moved_past_the_cap_stays_in_sight(owner, pipeline):
    lead, proposal = stage(pipeline, "Lead"), stage(pipeline, "Proposal")
    full = DealFactory.create_batch(
        CAP + 1, pipeline=pipeline, stage=proposal, expected_close_date=dt.date(2030, 1, 1)
    )
    mover = DealFactory(pipeline=pipeline, stage=lead, expected_close_date=dt.date(2031, 1, 1))
    response = client_for(owner).post(
        f"/deals/{mover.pk}/move/", {"stage": proposal.pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    # Its place in board order is last: shown after the first cards, and focused.
    expected = sorted(d.pk for d in full)[::-1][:CAP] + [mover.pk]
    assert card_ids(html, proposal.pk) == expected
    assert f'data-focus="deal-{mover.pk}"' in html and "1 more in Proposal" in html
    # A plain visit shows the first cards only.
    again = client_for(owner).get(f"/pipeline/?pipeline={pipeline.pk}").content.decode()
    assert mover.pk not in card_ids(again, proposal.pk)


def test_the_board_costs_the_same_queries_past_the_cap(owner, pipeline):
    client = client_for(owner)
    stages = list(pipeline.stages.all())
    company = CompanyFactory(account=owner.account)
    DealFactory(pipeline=pipeline, stage=stages[0], company=company, owner=owner.user)
    client.get("/pipeline/")  # the session's pipeline is settled after the first visit

    def queries():
        with capture_queries() as ctx:
            assert client.get("/pipeline/").status_code == 200
        return ctx

    few = queries()
    for i in range(4 * (CAP + 2)):
        DealFactory(
            pipeline=pipeline,
            stage=stages[i % 4],
            owner=owner.user,
            company=CompanyFactory(account=owner.account),
        )
    assert_same_count(few, queries())


# -- the deals list -------------------------------------------------------------------


def test_the_deals_list_pages_in_board_order(owner, pipeline, monkeypatch):
    monkeypatch.setattr("web.deals.views.DealListView.page_size", 2)
    lead = stage(pipeline, "Lead")
    dates = [dt.date(2030, 1, 3), None, dt.date(2030, 1, 1), dt.date(2030, 1, 2)]
    deals = {
        date: DealFactory(pipeline=pipeline, stage=lead, expected_close_date=date) for date in dates
    }
    client = client_for(owner)
    first = client.get(f"/deals/?stage={lead.pk}")
    second = client.get(f"/deals/?stage={lead.pk}&page=2")
    shown = [d.pk for d in first.context["deals"]] + [d.pk for d in second.context["deals"]]
    assert shown == [deals[d].pk for d in (dates[2], dates[3], dates[0], None)]
    assert 'rel="next"' in first.content.decode() and "1–2 of 4 deals" in first.content.decode()
    assert f'href="?stage={lead.pk}&amp;page=1"' in second.content.decode()  # the filter stays


def test_the_deals_list_shows_only_the_accounts_deals(owner, outsider, pipeline):
    DealFactory(pipeline=pipeline, title="Ours")
    theirs = PipelineFactory(account=outsider.account)
    DealFactory(pipeline=theirs, title="Theirs")
    html = client_for(owner).get("/deals/").content.decode()
    assert "Ours" in html and "Theirs" not in html
    # Another account's stage id matches nothing, like a missing one.
    foreign = theirs.stages.first()
    response = client_for(owner).get(f"/deals/?stage={foreign.pk}")
    assert response.status_code == 200 and list(response.context["deals"]) == []
    assert "No deal matches" in response.content.decode()


def test_bad_list_filters_are_explained_not_errors(owner, pipeline):
    DealFactory(pipeline=pipeline, title="Still listed")
    response = client_for(owner).get("/deals/?stage=abc&status=maybe")
    assert response.status_code == 200
    html = response.content.decode()
    assert "That filter was ignored" in html and "Still listed" in html


def test_the_deals_list_costs_the_same_queries_whatever_the_count(owner, teammate, pipeline):
    client = client_for(owner)
    url = f"/deals/?pipeline={pipeline.pk}&status=open"

    def queries():
        with capture_queries() as ctx:
            assert client.get(url).status_code == 200
        return ctx

    DealFactory(pipeline=pipeline, owner=owner.user, company=CompanyFactory(account=owner.account))
    few = queries()
    stages = list(pipeline.stages.all())
    for i in range(12):
        DealFactory(
            pipeline=pipeline,
            stage=stages[i % 4],
            owner=(owner.user, teammate.user)[i % 2],
            company=CompanyFactory(account=owner.account),
        )
    assert_same_count(few, queries())


def test_the_deals_list_is_for_signed_in_users(client):
    response = client.get("/deals/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_status_filter_adds_no_distinct(owner, pipeline):
    """A deal has one status: DISTINCT would sort every matching deal to show one page."""
    DealFactory(pipeline=pipeline)
    with capture_queries() as ctx:
        client_for(owner).get("/deals/?status=open&status=won")
    assert not [sql for sql in ctx.sql if "DISTINCT" in sql.upper()]
