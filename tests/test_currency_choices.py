"""The currency choice (lib/currencies.py, deals/currencies.py): active ISO 4217 codes
only, the account's currency first, then those its deals use, then the rest by code."""

import datetime as dt
import re

import pytest

from deals.currencies import currency_choices
from lib.currencies import active_currency_codes, offered_currency_codes
from tests.factories import DealFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def test_withdrawn_codes_are_not_active():
    active = active_currency_codes()
    assert {"USD", "EUR", "JPY", "GBP", "CHF"} <= active
    assert not {"ADP", "DEM", "FRF", "ESP", "HRK", "SLL"} & active  # withdrawn
    assert not {"XAU", "XDR", "XTS", "XXX"} & active  # metals, funds, test: not tender


def test_a_code_is_active_only_while_it_is_tender():
    # The Croatian kuna until the euro (2023-01-01); the Andorran peseta until 2002.
    assert "HRK" in active_currency_codes(dt.date(2022, 6, 1))
    assert "HRK" not in active_currency_codes(dt.date(2023, 6, 1))
    assert "ADP" in active_currency_codes(dt.date(1995, 1, 1))


def test_the_offered_codes_are_far_fewer_than_djmoneys_307():
    offered = offered_currency_codes()
    assert 140 < len(offered) < 180


def test_the_accounts_currency_comes_first_then_those_in_use_then_the_rest(owner, pipeline):
    owner.account.currency = "EUR"
    owner.account.save()
    for code in ("JPY", "CHF", "EUR", "ADP"):  # ADP: in use but withdrawn, not offered
        DealFactory(pipeline=pipeline, currency=code)
    codes = [code for code, _label in currency_choices(account=owner.account)]
    assert codes[:3] == ["EUR", "CHF", "JPY"]
    assert codes[3:] == sorted(codes[3:])
    assert "ADP" not in codes and len(codes) == len(set(codes))


def test_another_accounts_deals_do_not_reorder_the_choice(owner, outsider):
    theirs = DealFactory(pipeline__account=outsider.account, currency="NOK")
    assert theirs.account_id == outsider.account.pk
    codes = [code for code, _label in currency_choices(account=owner.account)]
    assert codes[0] == "USD" and codes[1] == "AED"  # then alphabetical: NOK in its place


def test_a_deal_keeps_its_withdrawn_currency_when_edited(owner, pipeline):
    codes = [code for code, _ in currency_choices(account=owner.account, keep="ADP")]
    assert codes[:2] == ["USD", "ADP"]


def test_the_deal_form_offers_active_codes_only(owner, pipeline):
    html = client_for(owner).get("/deals/new/").content.decode()
    select = html.split('name="currency"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="(\w+)"', select)
    assert offered[0] == "USD" and "ADP" not in offered and "Andorran Peseta" not in select
    assert len(offered) == len(offered_currency_codes())
    assert "EUR · Euro" in select


def test_the_deal_form_refuses_a_withdrawn_code_for_a_new_deal(owner, pipeline):
    response = client_for(owner).post(
        "/deals/new/", {"title": "Old money", "pipeline": pipeline.pk, "currency": "ADP"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_admin_offers_active_codes_and_the_records_own(admin_client, pipeline):
    deal = DealFactory(pipeline=pipeline, currency="ADP")
    html = admin_client.get(f"/admin/deals/deal/{deal.pk}/change/").content.decode()
    select = html.split('name="currency"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="(\w+)"', select)
    assert offered[0] == "ADP" and "DEM" not in offered and "EUR" in offered


def test_the_api_still_takes_a_withdrawn_code_and_refuses_an_unknown_one(owner, pipeline):
    """The contract (docs: "unknown code is a 400") is kept as it is: a withdrawn code
    is a known ISO 4217 code, and a client syncing old deals (a 1999 deal in DEM) must
    be able to write them; the web forms only stop offering it."""
    url = "/api/v1/crm/deals/"
    old = owner.client.post(
        url, {"title": "x", "pipeline": pipeline.pk, "currency": "DEM"}, format="json"
    )
    assert old.status_code == 201 and old.json()["currency"] == "DEM"
    unknown = owner.client.post(
        url, {"title": "x", "pipeline": pipeline.pk, "currency": "ZZZ"}, format="json"
    )
    assert unknown.status_code == 400
