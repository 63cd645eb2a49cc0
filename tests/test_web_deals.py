"""The deal page, the deal form and the state machine's actions from the page."""

import pytest

from deals.models import Deal
from deals.services import deal_lose, deal_win
from events.models import Source
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    company = CompanyFactory(account=owner.account, name="Initech")
    contact = ContactFactory(
        account=owner.account, first_name="Peter", last_name="Gibbons", company=company
    )
    return DealFactory(
        pipeline=pipeline,
        title="TPS licence",
        value_cents=1_234_550,
        company=company,
        contact=contact,
        owner=owner.user,
    )


def test_the_deal_page_shows_fields_links_and_actions(owner, deal):
    html = client_for(owner).get(f"/deals/{deal.pk}/").content.decode()
    assert "TPS licence" in html
    assert "12,345.50 USD" in html
    assert "1,234.55 USD" in html  # weighted at the Lead stage's 10%
    assert f'href="/companies/{deal.company_id}/"' in html
    assert f'href="/contacts/{deal.contact_id}/"' in html
    for label in ("Move", "Mark as won", "Mark as lost", "Abandon deal"):
        assert label in html
    assert "Reopen deal" not in html


def test_a_closed_deal_offers_reopen_only(owner, deal):
    deal_lose(deal=deal, by=None, source=Source.SYSTEM, reason="Went with a competitor")
    html = client_for(owner).get(f"/deals/{deal.pk}/").content.decode()
    assert "Reopen deal" in html and "Mark as won" not in html
    assert "Went with a competitor" in html


def test_the_deal_page_shows_its_timeline(owner, deal):
    NoteFactory(account=owner.account, deal=deal, body="<p>Call went well</p>")
    html = client_for(owner).get(f"/deals/{deal.pk}/").content.decode()
    assert "Call went well" in html


def test_dates_show_in_the_account_zone(owner, deal):
    owner.account.time_zone = "Asia/Tokyo"
    owner.account.save()
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    from django.utils import timezone

    local = timezone.localtime(deal.closed_at, owner.account.zone)
    html = client_for(owner).get(f"/deals/{deal.pk}/").content.decode()
    assert local.strftime("%H:%M") in html


def test_win_from_the_page_redirects_with_a_message(owner, deal):
    client = client_for(owner)
    response = client.post(f"/deals/{deal.pk}/win/", follow=True)
    assert response.redirect_chain[-1][0] == f"/deals/{deal.pk}/"
    assert "won" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON


def test_lose_abandon_and_reopen_from_the_page(owner, deal):
    client = client_for(owner)
    client.post(f"/deals/{deal.pk}/lose/", {"reason": "  No budget  "})
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (Deal.Status.LOST, "No budget")
    client.post(f"/deals/{deal.pk}/reopen/")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.OPEN and deal.closed_at is None
    client.post(f"/deals/{deal.pk}/abandon/")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.ABANDONED


def test_moving_a_closed_deal_is_a_clear_error_not_a_500(owner, deal, pipeline):
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = client_for(owner).post(
        f"/deals/{deal.pk}/move/", {"stage": pipeline.stages.last().pk}, follow=True
    )
    assert response.status_code == 200
    assert "Cannot move a deal that is won. Reopen it first." in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == pipeline.stages.first()


def test_winning_twice_is_a_clear_error(owner, deal):
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = client_for(owner).post(f"/deals/{deal.pk}/win/", follow=True)
    assert "Cannot win a deal that is won" in response.content.decode()


def test_reopening_an_open_deal_is_a_409_over_htmx(owner, deal):
    response = client_for(owner).post(f"/deals/{deal.pk}/reopen/", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.content.decode() == "Cannot reopen a deal that is open."


def test_a_too_long_lost_reason_is_refused(owner, deal):
    response = client_for(owner).post(f"/deals/{deal.pk}/lose/", {"reason": "x" * 501}, follow=True)
    assert "at most 500 characters" in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == Deal.Status.OPEN


def test_a_reason_with_a_nul_character_is_refused(owner, deal):
    response = client_for(owner).post(f"/deals/{deal.pk}/lose/", {"reason": "a\x00b"}, follow=True)
    assert "The reason: Null characters are not allowed." in response.content.decode()


def test_a_bad_stage_is_refused(owner, deal):
    client = client_for(owner)
    for stage in ("abc", "", "99999999999999999999999", "-1"):
        response = client.post(f"/deals/{deal.pk}/move/", {"stage": stage}, follow=True)
        assert response.status_code == 200
        assert "Pick a stage" in response.content.decode()


def test_an_unsafe_next_is_ignored(owner, deal, pipeline):
    response = client_for(owner).post(
        f"/deals/{deal.pk}/move/",
        {"stage": pipeline.stages.last().pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/deals/{deal.pk}/"


def test_get_on_an_action_leads_to_the_deal_page(owner, deal):
    response = client_for(owner).get(f"/deals/{deal.pk}/win/")
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert deal.is_open


# -- the form ---------------------------------------------------------------------------


def test_a_new_deal_defaults_to_the_first_stage_and_the_account_currency(owner, pipeline):
    owner.account.currency = "EUR"
    owner.account.save()
    client = client_for(owner)
    page = client.get(f"/deals/new/?pipeline={pipeline.pk}").content.decode()
    assert '<option value="EUR" selected>' in page
    response = client.post(
        "/deals/new/",
        {
            "title": "Fresh deal",
            "pipeline": pipeline.pk,
            "stage": "",
            "value": "1500.50",
            "currency": "EUR",
            "owner": owner.user.pk,
        },
    )
    deal = Deal.objects.for_account(owner.account).get(title="Fresh deal")
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert deal.stage.name == "Lead"
    assert deal.value_cents == 150_050 and deal.currency == "EUR"
    assert deal.owner == owner.user


def test_the_stage_must_belong_to_the_pipeline(owner, pipeline):
    other = PipelineFactory(account=owner.account, name="Renewals")
    response = client_for(owner).post(
        "/deals/new/",
        {
            "title": "Mismatch",
            "pipeline": pipeline.pk,
            "stage": other.stages.first().pk,
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert "Pick a stage of the Sales pipeline." in response.content.decode()
    assert not Deal.objects.for_account(owner.account).filter(title="Mismatch").exists()


def test_another_accounts_records_are_not_choices(owner, outsider, pipeline):
    foreign_company = CompanyFactory(account=outsider.account)
    foreign_pipeline = PipelineFactory(account=outsider.account)
    response = client_for(owner).post(
        "/deals/new/",
        {
            "title": "Sneaky",
            "pipeline": foreign_pipeline.pk,
            "currency": "USD",
            "company": foreign_company.pk,
            "owner": outsider.user.pk,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"pipeline", "company", "owner"} <= set(form.errors)


def test_bad_values_are_form_errors(owner, pipeline):
    client = client_for(owner)
    for bad in (
        {"value": "-5"},
        {"value": "1e20"},
        {"value": "abc"},
        {"probability": "101"},
        {"currency": "XXX1"},
        {"title": "   "},
        {"expected_close_date": "2024-13-45"},
    ):
        data = {"title": "Bad", "pipeline": pipeline.pk, "currency": "USD", **bad}
        response = client.post("/deals/new/", data)
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad


def test_editing_a_deal(owner, deal, pipeline):
    response = client_for(owner).post(
        f"/deals/{deal.pk}/edit/",
        {
            "title": "TPS licence v2",
            "pipeline": pipeline.pk,
            "stage": "",
            "value": "99",
            "currency": "USD",
            "probability": "40",
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.value_cents, deal.probability) == ("TPS licence v2", 9_900, 40)
    assert deal.stage.name == "Lead"  # an empty stage keeps the current one


def test_a_closed_deal_keeps_its_stage_in_the_form(owner, deal, pipeline):
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = client_for(owner).post(
        f"/deals/{deal.pk}/edit/",
        {
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": pipeline.stages.last().pk,
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()


# -- tenancy and cost ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "edit/", "move/", "win/", "lose/", "abandon/", "reopen/"])
def test_the_outsider_gets_404_on_every_deal_url(owner, outsider, deal, suffix):
    client = client_for(outsider)
    assert client.get(f"/deals/{deal.pk}/{suffix}").status_code == 404
    assert client.post(f"/deals/{deal.pk}/{suffix}").status_code == 404
    deal.refresh_from_db()
    assert deal.is_open


def test_the_deal_page_costs_the_same_queries_whatever_the_history(owner, deal):
    client = client_for(owner)
    NoteFactory(account=owner.account, deal=deal, author=owner.user)

    def queries():
        with capture_queries() as ctx:
            assert client.get(f"/deals/{deal.pk}/").status_code == 200
        return ctx

    few = queries()
    for _ in range(15):
        NoteFactory(account=owner.account, deal=deal, author=owner.user)
    assert_same_count(few, queries())
