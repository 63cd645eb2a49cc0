"""Only an open deal changes stage or pipeline, whichever face writes: the API's PATCH
and PUT (409, like the `move` action), the web app's deal form, and the admin."""

import pytest
from django.test import Client

from deals.models import Deal, InvalidTransition, Stage
from deals.services import deal_abandon, deal_lose, deal_reopen, deal_win
from events.models import Source
from tests.factories import DealFactory, PipelineFactory, UserFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/deals/"
CLOSE = {"won": deal_win, "lost": deal_lose, "abandoned": deal_abandon}


def stages(pipeline):
    return list(Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline))


def closed_deal(pipeline, status):
    deal = DealFactory(pipeline=pipeline)
    CLOSE[status](deal=deal, by=None, source=Source.SYSTEM)
    return deal


def stored(deal):
    return Deal.objects.for_account(deal.account_id).get(pk=deal.pk)


@pytest.mark.parametrize("status", list(CLOSE))
def test_patching_the_stage_of_a_closed_deal_is_a_409_and_changes_nothing(owner, pipeline, status):
    deal = closed_deal(pipeline, status)
    response = owner.client.patch(
        f"{URL}{deal.pk}/", {"stage": stages(pipeline)[2].pk}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert "reopen it first" in response.json()["detail"]
    after = stored(deal)
    assert (after.status, after.stage_id) == (status, deal.stage_id)


def test_patching_the_pipeline_of_a_won_deal_is_a_409(owner, pipeline):
    deal = closed_deal(pipeline, "won")
    other = PipelineFactory(account=owner.account, name="Renewals")
    response = owner.client.patch(f"{URL}{deal.pk}/", {"pipeline": other.pk}, format="json")
    assert response.status_code == 409, response.json()
    after = stored(deal)
    assert (after.pipeline_id, after.stage_id) == (pipeline.pk, deal.stage_id)


def test_putting_a_won_deal_in_another_stage_is_a_409(owner, pipeline):
    deal = closed_deal(pipeline, "won")
    response = owner.client.put(
        f"{URL}{deal.pk}/",
        {
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": stages(pipeline)[1].pk,
        },
        format="json",
    )
    assert response.status_code == 409, response.json()
    assert stored(deal).stage_id == deal.stage_id


def test_a_won_deal_still_takes_other_fields_and_its_own_stage(owner, pipeline):
    deal = closed_deal(pipeline, "won")
    response = owner.client.patch(
        f"{URL}{deal.pk}/",
        {
            "title": "Signed",
            "stage": deal.stage_id,
            "pipeline": pipeline.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["status"]) == ("Signed", "won")


def test_an_open_deal_still_changes_stage_by_patch(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    target = stages(pipeline)[2]
    response = owner.client.patch(f"{URL}{deal.pk}/", {"stage": target.pk}, format="json")
    assert response.status_code == 200
    assert stored(deal).stage_id == target.pk


def test_the_rule_lives_on_the_model(pipeline):
    deal = closed_deal(pipeline, "lost")
    deal.stage = stages(pipeline)[3]
    with pytest.raises(InvalidTransition):
        deal.validate_stage_change()
    deal_reopen(deal=deal, by=None, source=Source.SYSTEM)
    deal.validate_stage_change()


def test_the_deal_form_refuses_another_stage_for_a_won_deal(owner, pipeline):
    deal = closed_deal(pipeline, "won")
    response = client_for(owner).post(
        f"/deals/{deal.pk}/edit/",
        {
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": stages(pipeline)[2].pk,
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()
    assert stored(deal).stage_id == deal.stage_id


def test_the_deal_form_refuses_another_pipeline_for_a_won_deal(owner, pipeline):
    deal = closed_deal(pipeline, "won")
    other = PipelineFactory(account=owner.account, name="Renewals")
    response = client_for(owner).post(
        f"/deals/{deal.pk}/edit/",
        {
            "title": deal.title,
            "pipeline": other.pk,
            "stage": "",
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()
    assert stored(deal).pipeline_id == pipeline.pk


def test_the_admin_refuses_another_stage_for_a_won_deal(account):
    pipeline = PipelineFactory(account=account)
    deal = closed_deal(pipeline, "won")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/deals/deal/{deal.pk}/change/",
        {
            "account": account.pk,
            "title": deal.title,
            "pipeline": pipeline.pk,
            "stage": stages(pipeline)[2].pk,
            "value_cents": 0,
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()
    assert stored(deal).stage_id == deal.stage_id
