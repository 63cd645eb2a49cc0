"""The deal's rules live on the model (Deal.clean, Deal.stage_in_pipeline), so the API,
the web app's deal form and the admin give the same answer: a stage must be one of
the deal's pipeline's, an empty stage is the pipeline's first (or the deal's own when
it stays in its pipeline), a pipeline without stages takes no deal."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from deals.models import Deal, Stage
from deals.services import deal_win
from events.models import Source
from tests.factories import DealFactory, PipelineFactory, UserFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

OTHER_PIPELINE = "Pick a stage of the Sales pipeline."
NO_STAGES = "This pipeline has no stages yet."


def stages(pipeline):
    return list(Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline))


def deals(account, title):
    return Deal.objects.for_account(account).filter(title=title)


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_post(client, account, url, **fields):
    data = {
        "account": account.pk,
        "title": "Via admin",
        "value_cents": 0,
        "currency": "USD",
        **fields,
    }
    return client.post(url, data)


def test_a_stage_of_another_pipeline_gets_the_same_answer_from_every_face(
    owner, pipeline, admin_client
):
    foreign_stage = stages(PipelineFactory(account=owner.account, name="Renewals"))[0]
    api = owner.client.post(
        "/api/v1/crm/deals/",
        {"title": "Via API", "pipeline": pipeline.pk, "stage": foreign_stage.pk},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"stage": [OTHER_PIPELINE]}

    web = client_for(owner).post(
        "/deals/new/",
        {"title": "Via web", "pipeline": pipeline.pk, "stage": foreign_stage.pk, "currency": "USD"},
    )
    assert web.status_code == 200
    assert web.context["form"].errors["stage"] == [OTHER_PIPELINE]

    admin = admin_post(
        admin_client,
        owner.account,
        "/admin/deals/deal/add/",
        pipeline=pipeline.pk,
        stage=foreign_stage.pk,
    )
    assert admin.status_code == 200
    assert admin.context["adminform"].form.errors["stage"] == [OTHER_PIPELINE]
    assert not Deal.objects.for_account(owner.account).exists()


def test_a_pipeline_without_stages_takes_no_deal_on_any_face(owner, admin_client):
    empty = PipelineFactory(account=owner.account, name="Empty", stages=[])
    api = owner.client.post(
        "/api/v1/crm/deals/", {"title": "Via API", "pipeline": empty.pk}, format="json"
    )
    assert api.status_code == 400
    assert api.json() == {"pipeline": [NO_STAGES]}

    web = client_for(owner).post(
        "/deals/new/", {"title": "Via web", "pipeline": empty.pk, "stage": "", "currency": "USD"}
    )
    assert web.status_code == 200
    assert web.context["form"].errors["pipeline"] == [NO_STAGES]

    admin = admin_post(
        admin_client, owner.account, "/admin/deals/deal/add/", pipeline=empty.pk, stage=""
    )
    assert admin.status_code == 200
    assert admin.context["adminform"].form.errors["pipeline"] == [NO_STAGES]
    assert not Deal.objects.for_account(owner.account).exists()


def test_an_empty_stage_is_the_pipelines_first_stage_on_every_face(owner, pipeline, admin_client):
    api = owner.client.post(
        "/api/v1/crm/deals/", {"title": "Via API", "pipeline": pipeline.pk}, format="json"
    )
    assert api.status_code == 201, api.json()
    client_for(owner).post(
        "/deals/new/",
        {"title": "Via web", "pipeline": pipeline.pk, "stage": "", "currency": "USD"},
    )
    admin = admin_post(
        admin_client, owner.account, "/admin/deals/deal/add/", pipeline=pipeline.pk, stage=""
    )
    assert admin.status_code == 302, admin.content.decode()[:2000]
    for title in ("Via API", "Via web", "Via admin"):
        assert deals(owner.account, title).get().stage.name == "Lead", title


def test_the_admin_moves_an_open_deal_to_the_first_stage_of_its_new_pipeline(
    owner, pipeline, admin_client
):
    deal = DealFactory(pipeline=pipeline, stage=stages(pipeline)[2], title="Moving")
    renewals = PipelineFactory(account=owner.account, name="Renewals")
    response = admin_post(
        admin_client,
        owner.account,
        f"/admin/deals/deal/{deal.pk}/change/",
        title="Moving",
        value_cents=deal.value_cents,
        pipeline=renewals.pk,
        stage="",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = deals(owner.account, "Moving").get()
    assert (deal.pipeline_id, deal.stage_id) == (renewals.pk, stages(renewals)[0].pk)


def test_an_empty_stage_in_the_admin_keeps_the_deals_own_stage(owner, pipeline, admin_client):
    deal = DealFactory(pipeline=pipeline, stage=stages(pipeline)[2], title="Staying")
    response = admin_post(
        admin_client,
        owner.account,
        f"/admin/deals/deal/{deal.pk}/change/",
        title="Staying, renamed",
        value_cents=deal.value_cents,
        pipeline=pipeline.pk,
        stage="",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert deals(owner.account, "Staying, renamed").get().stage_id == stages(pipeline)[2].pk


def test_the_admin_refuses_a_won_deal_another_pipeline_even_with_an_empty_stage(
    owner, pipeline, admin_client
):
    deal = DealFactory(pipeline=pipeline, title="Won")
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    renewals = PipelineFactory(account=owner.account, name="Renewals")
    response = admin_post(
        admin_client,
        owner.account,
        f"/admin/deals/deal/{deal.pk}/change/",
        title="Won",
        value_cents=deal.value_cents,
        pipeline=renewals.pk,
        stage="",
    )
    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()
    assert deals(owner.account, "Won").get().pipeline_id == pipeline.pk


# -- the model's rule itself ----------------------------------------------------------


def test_stage_in_pipeline_takes_a_stage_of_the_pipeline(pipeline):
    deal = Deal(account=pipeline.account)
    assert deal.stage_in_pipeline(pipeline, stages(pipeline)[1]) == stages(pipeline)[1]


def test_stage_in_pipeline_refuses_a_stage_of_another_pipeline_on_stage(pipeline):
    other = PipelineFactory(account=pipeline.account, name="Renewals")
    with pytest.raises(ValidationError) as caught:
        Deal(account=pipeline.account).stage_in_pipeline(pipeline, stages(other)[0])
    assert caught.value.message_dict == {"stage": [OTHER_PIPELINE]}


def test_stage_in_pipeline_keeps_the_deals_own_stage_in_its_pipeline(
    pipeline, django_assert_num_queries
):
    fourth = stages(pipeline)[3]
    deal = DealFactory(pipeline=pipeline, stage=fourth)
    deal = Deal.objects.for_account(pipeline.account).select_related("stage").get(pk=deal.pk)
    with django_assert_num_queries(0):
        assert deal.stage_in_pipeline(pipeline) == fourth


def test_stage_in_pipeline_picks_the_first_stage_in_one_query_or_none_given_stages(
    pipeline, django_assert_num_queries
):
    deal = Deal(account=pipeline.account)
    with django_assert_num_queries(1):
        assert deal.stage_in_pipeline(pipeline).name == "Lead"
    every_stage = list(Stage.objects.for_account(pipeline.account).order_by("position", "id"))
    with django_assert_num_queries(0):
        assert deal.stage_in_pipeline(pipeline, stages=every_stage).name == "Lead"


def test_clean_fills_an_empty_stage_and_checks_a_given_one(pipeline):
    deal = Deal(account=pipeline.account, pipeline=pipeline, title="x", currency="USD")
    deal.clean()
    assert deal.stage.name == "Lead"
    other = PipelineFactory(account=pipeline.account, name="Renewals")
    deal.stage = stages(other)[1]
    with pytest.raises(ValidationError) as caught:
        deal.clean()
    assert caught.value.message_dict == {"stage": [OTHER_PIPELINE]}
