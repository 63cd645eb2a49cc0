"""Deals that tell the truth: the stage history on the deal page, days in stage on the
board, a closed deal's outcome instead of a probability, the contact choices of the
chosen company, and the pipeline used last."""

import datetime as dt
import re
from unittest import mock

import pytest

from deals.models import Deal, Stage
from deals.services import deal_lose, deal_move, deal_win
from events.models import Event, Source
from tests.factories import CompanyFactory, ContactFactory, DealFactory, PipelineFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    return DealFactory(pipeline=pipeline, title="TPS licence", value_cents=1_000_000)


def stages_of(deal):
    return list(Stage.objects.for_account(deal.account).filter(pipeline=deal.pipeline))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- stage history ------------------------------------------------------------------------


def test_the_deal_page_shows_the_time_spent_in_each_stage(owner, deal):
    first, second, *_ = stages_of(deal)
    deal_move(deal=deal, by=owner.user, source=Source.UI, stage=second)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    events = Event.objects.for_account(owner.account).of_record("deal", deal.pk)
    # Back-date the events the history is read from (they are stamped by the database).
    events.filter(type="deal.created").update(at=start)
    events.filter(type="deal.moved").update(at=start + dt.timedelta(days=3))
    Deal.objects.for_account(owner.account).filter(pk=deal.pk).update(
        created_at=start, stage_entered_at=start + dt.timedelta(days=3)
    )
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(days=5)):
        html = text(client_for(owner).get(f"/deals/{deal.pk}/").content.decode())
    assert "Time in each stage" in html
    assert f"{first.name} 3 days" in html
    assert f"{second.name} 2 days" in html
    assert f"In {second.name} since" in html


def test_the_stage_history_costs_the_same_queries_however_often_the_deal_moved(owner, deal):
    client = client_for(owner)
    stages = stages_of(deal)

    def queries():
        with capture_queries() as captured:
            assert client.get(f"/deals/{deal.pk}/").status_code == 200
        return captured

    deal_move(deal=deal, by=owner.user, source=Source.UI, stage=stages[1])
    few = queries()
    for stage in stages * 3:
        deal_move(deal=deal, by=owner.user, source=Source.UI, stage=stage)
    assert_same_count(few, queries())


# -- the board ----------------------------------------------------------------------------------


def test_board_cards_show_days_in_the_current_stage(owner, deal):
    Deal.objects.for_account(owner.account).filter(pk=deal.pk).update(
        stage_entered_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=4, hours=2)
    )
    other = DealFactory(pipeline=deal.pipeline, title="Fresh")
    html = client_for(owner).get(f"/pipeline/?pipeline={deal.pipeline_id}").content.decode()
    assert "4 days in stage" in html
    assert other.title in html and "Entered today" in html


def test_days_in_stage_of_a_closed_deal_stop_at_its_close(owner, deal):
    entered = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    deal.stage_entered_at = entered
    deal.status, deal.closed_at = "won", entered + dt.timedelta(days=6)
    assert deal.days_in_stage(now=entered + dt.timedelta(days=60)) == 6


# -- closed deals: the outcome, never a chance --------------------------------------------------


def test_a_won_deal_shows_won_with_value_and_date_never_a_weighted_value(owner, deal):
    deal_win(deal=deal, by=owner.user, source=Source.UI)
    html = text(client_for(owner).get(f"/deals/{deal.pk}/").content.decode())
    assert "Won 10,000 USD" in html
    details = html.split("Details", 1)[1].split("Pipeline", 1)[0]
    assert "Weighted" not in html and "Probability" not in html and "%" not in details


def test_a_lost_deal_shows_its_reason(owner, deal):
    deal_lose(deal=deal, by=owner.user, source=Source.UI, reason="Budget cut")
    html = text(client_for(owner).get(f"/deals/{deal.pk}/").content.decode())
    assert "Lost 10,000 USD" in html and "Reason Budget cut" in html
    assert "Weighted" not in html


def test_the_deals_list_shows_a_closed_deal_as_closed_not_a_probability(owner, deal):
    deal_win(deal=deal, by=owner.user, source=Source.UI)
    open_one = DealFactory(pipeline=deal.pipeline, title="Still open")
    html = text(client_for(owner).get("/deals/").content.decode())
    row = html.split("TPS licence", 1)[1].split(open_one.title)[0]
    assert "Won" in row and "%" not in row


# -- the deal form ----------------------------------------------------------------------------


def test_the_contact_choices_narrow_to_the_chosen_company(owner, pipeline):
    """The contact picker (web/pickers/) searches the chosen company's contacts: the
    refreshed field names the company, the picker's endpoint narrows by it."""
    initech = CompanyFactory(account=owner.account, name="Initech")
    peter = ContactFactory(account=owner.account, first_name="Peter", company=initech)
    other = ContactFactory(account=owner.account, first_name="Bill")
    client = client_for(owner)
    everyone = client.get("/deals/new/").content.decode()
    assert 'hx-select="#id_contact_field"' in everyone
    narrowed = client.get(f"/deals/new/?company={initech.pk}", HTTP_HX_REQUEST="true")
    select = narrowed.content.decode().split('id="id_contact"', 1)[0].rsplit("<select", 1)[1]
    assert f'data-company="{initech.pk}"' in select
    options = client.get(f"/pickers/contacts/?company={initech.pk}").content.decode()
    assert f'data-value="{peter.pk}"' in options and f'data-value="{other.pk}"' not in options


def test_an_edit_keeps_its_contact_among_the_narrowed_choices(owner, pipeline):
    initech = CompanyFactory(account=owner.account)
    loner = ContactFactory(account=owner.account, first_name="Loner")
    deal = DealFactory(pipeline=pipeline, company=initech, contact=loner)
    html = client_for(owner).get(f"/deals/{deal.pk}/edit/").content.decode()
    assert f'<option value="{loner.pk}" selected' in html


def test_another_accounts_company_narrows_to_nothing(owner, outsider):
    theirs = CompanyFactory(account=outsider.account)
    ContactFactory(account=outsider.account, company=theirs, first_name="Secret")
    response = client_for(owner).get(f"/deals/new/?company={theirs.pk}")
    assert response.status_code == 200 and "Secret" not in response.content.decode()


# -- the pipeline used last ----------------------------------------------------------------------


def test_the_new_deal_form_opens_the_pipeline_used_last(owner, pipeline):
    other = PipelineFactory(account=owner.account, name="Renewals")
    client = client_for(owner)
    client.get(f"/pipeline/?pipeline={other.pk}")
    html = client.get("/deals/new/").content.decode()
    assert f'<option value="{other.pk}" selected' in html


def test_creating_a_deal_remembers_its_pipeline_for_the_board(owner, pipeline):
    other = PipelineFactory(account=owner.account, name="Renewals")
    client = client_for(owner)
    client.get(f"/pipeline/?pipeline={pipeline.pk}")
    response = client.post(
        "/deals/new/", {"title": "New one", "pipeline": other.pk, "currency": "USD"}
    )
    assert response.status_code == 302
    board = client.get("/pipeline/").content.decode()
    assert "New one" in board and "Renewals" in board
    assert client.session["board_pipeline"] == other.pk
