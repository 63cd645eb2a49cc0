"""/api/v1/crm/pipelines/: created with stages, stage lists replaced atomically."""

import pytest

from accounts.services import account_create
from deals.models import Deal, Pipeline, Stage
from tests.factories import DealFactory, PipelineFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/pipelines/"


def stages_of(pipeline_id, account):
    return list(
        Stage.objects.for_account(account)
        .filter(pipeline_id=pipeline_id)
        .values_list("name", "probability")
    )


def test_create_makes_the_pipeline_and_its_stages_in_order(owner):
    body = {
        "name": "Sales",
        "stages": [
            {"name": "Lead", "probability": 10},
            {"name": "Won?", "probability": 90},
            {"name": "Demo", "probability": 40},
        ],
    }
    response = owner.client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    got = response.json()
    assert set(got) == {"id", "name", "stages", "created_at", "updated_at"}
    assert [(s["name"], s["probability"]) for s in got["stages"]] == [
        ("Lead", 10),
        ("Won?", 90),
        ("Demo", 40),
    ]
    assert all(isinstance(s["id"], int) for s in got["stages"])


@pytest.mark.parametrize(
    "body",
    [
        {"name": "P", "stages": []},
        {"name": "P"},
        {"name": "", "stages": [{"name": "A", "probability": 1}]},
        {"name": "P", "stages": [{"name": "A", "probability": 101}]},
        {"name": "P", "stages": [{"name": "A", "probability": -1}]},
        {"name": "P", "stages": [{"name": "A", "probability": 1}, {"name": "a", "probability": 2}]},
        {"name": "P", "stages": [{"name": "", "probability": 1}]},
        {"name": "P", "stages": [{"name": "A"}]},
        {"name": "P", "stages": "A"},
    ],
)
def test_invalid_pipelines_are_a_400_and_write_nothing(owner, body):
    response = owner.client.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert not Pipeline.objects.for_account(owner.account).exists()


def test_names_are_unique_per_account(owner, outsider):
    body = {"name": "Sales", "stages": [{"name": "A", "probability": 1}]}
    assert owner.client.post(URL, body, format="json").status_code == 201
    again = owner.client.post(URL, body | {"name": "SALES"}, format="json")
    assert again.status_code == 400 and "name" in again.json()
    assert outsider.client.post(URL, body, format="json").status_code == 201


def test_patch_stages_keeps_renames_reorders_adds_and_removes(owner):
    pipeline = PipelineFactory(account=owner.account)
    lead, qualified, proposal, negotiation = Stage.objects.for_account(owner.account).filter(
        pipeline=pipeline
    )
    deal = DealFactory(pipeline=pipeline, stage=qualified)
    response = owner.client.patch(
        f"{URL}{pipeline.pk}/",
        {
            "stages": [
                {"id": proposal.pk, "name": "Offer", "probability": 60},
                {"id": qualified.pk, "name": "Qualified", "probability": 30},
                {"name": "Contract", "probability": 90},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [(s["name"], s["probability"]) for s in response.json()["stages"]] == [
        ("Offer", 60),
        ("Qualified", 30),
        ("Contract", 90),
    ]
    assert response.json()["stages"][0]["id"] == proposal.pk
    assert (
        not Stage.objects.for_account(owner.account)
        .filter(pk__in=[lead.pk, negotiation.pk])
        .exists()
    )
    deal.refresh_from_db()
    assert deal.stage_id == qualified.pk


def test_swapping_two_stage_names_works(owner):
    pipeline = PipelineFactory(account=owner.account, stages=[("A", 10), ("B", 20)])
    a, b = Stage.objects.for_account(owner.account).filter(pipeline=pipeline)
    response = owner.client.patch(
        f"{URL}{pipeline.pk}/",
        {
            "stages": [
                {"id": a.pk, "name": "B", "probability": 10},
                {"id": b.pk, "name": "A", "probability": 20},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert stages_of(pipeline.pk, owner.account) == [("B", 10), ("A", 20)]


def test_removing_a_stage_with_deals_is_a_409_and_changes_nothing(owner):
    pipeline = PipelineFactory(account=owner.account)
    stages = list(Stage.objects.for_account(owner.account).filter(pipeline=pipeline))
    DealFactory(pipeline=pipeline, stage=stages[1])
    before = stages_of(pipeline.pk, owner.account)
    response = owner.client.patch(
        f"{URL}{pipeline.pk}/",
        {"name": "Renamed", "stages": [{"id": stages[0].pk, "name": "Lead!", "probability": 11}]},
        format="json",
    )
    assert response.status_code == 409
    assert "detail" in response.json()
    assert stages_of(pipeline.pk, owner.account) == before
    pipeline.refresh_from_db()
    assert pipeline.name != "Renamed"


def test_a_stage_of_another_pipeline_cannot_be_kept(owner):
    pipeline = PipelineFactory(account=owner.account)
    other = PipelineFactory(account=owner.account)
    stranger = Stage.objects.for_account(owner.account).filter(pipeline=other).first()
    response = owner.client.patch(
        f"{URL}{pipeline.pk}/",
        {"stages": [{"id": stranger.pk, "name": "X", "probability": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "stages" in response.json()
    assert len(stages_of(other.pk, owner.account)) == 4


def test_replacing_stages_costs_a_constant_number_of_queries(owner):
    captures = []
    for n in (3, 20):
        pipeline = PipelineFactory(account=owner.account, stages=[(f"S{i}", i) for i in range(n)])
        kept = list(Stage.objects.for_account(owner.account).filter(pipeline=pipeline))
        body = [{"id": s.pk, "name": f"{s.name}!", "probability": 1} for s in kept[1:]]
        body += [{"name": f"New {i}", "probability": 2} for i in range(n)]
        with capture_queries() as ctx:
            response = owner.client.patch(f"{URL}{pipeline.pk}/", {"stages": body}, format="json")
        assert response.status_code == 200
        captures.append(ctx)
    assert_same_count(*captures)


def test_deleting_a_pipeline_with_deals_is_a_409(owner):
    deal = DealFactory(pipeline__account=owner.account)
    response = owner.client.delete(f"{URL}{deal.pipeline_id}/")
    assert response.status_code == 409
    assert Pipeline.objects.for_account(owner.account).filter(pk=deal.pipeline_id).exists()
    Deal.objects.for_account(owner.account).filter(pk=deal.pk).delete()
    assert owner.client.delete(f"{URL}{deal.pipeline_id}/").status_code == 204
    assert not Stage.objects.for_account(owner.account).exists()


def test_a_new_account_starts_with_the_sales_pipeline(db):
    account = account_create(name="Fresh", username="fresh", password="x")
    pipeline = Pipeline.objects.for_account(account).get()
    assert pipeline.name == "Sales"
    assert stages_of(pipeline.pk, account) == [
        ("Lead", 10),
        ("Qualified", 25),
        ("Proposal", 50),
        ("Negotiation", 75),
    ]


def test_pipeline_list_queries_do_not_grow(owner):
    def count():
        with capture_queries() as ctx:
            assert owner.client.get(URL, {"page_size": 100}).status_code == 200
        return ctx

    PipelineFactory.create_batch(2, account=owner.account)
    small = count()
    PipelineFactory.create_batch(20, account=owner.account)
    assert_same_count(small, count())


def test_a_patch_still_needs_complete_stages(owner):
    pipeline = PipelineFactory(account=owner.account)
    first = Stage.objects.for_account(owner.account).filter(pipeline=pipeline).first()
    response = owner.client.patch(
        f"{URL}{pipeline.pk}/", {"stages": [{"id": first.pk, "name": "x"}]}, format="json"
    )
    assert response.status_code == 400
    assert "stages" in response.json()


def test_a_name_taken_meanwhile_is_a_400_on_name_and_writes_nothing(owner, monkeypatch):
    # The serializer's own check is switched off, so the database meets the taken name
    # as it does when a concurrent request commits it between check and write.
    monkeypatch.setattr("deals.api.serializers.PipelineSerializer.validate_name", lambda s, v: v)
    taken = PipelineFactory(account=owner.account, name="Sales")
    other = PipelineFactory(account=owner.account, name="Other")
    before = stages_of(other.pk, owner.account)
    body = {"name": "SALES", "stages": [{"name": "A", "probability": 1}]}
    response = owner.client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A pipeline with this name already exists."]}
    response = owner.client.patch(f"{URL}{other.pk}/", body | {"name": "sales"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A pipeline with this name already exists."]}
    pipelines = Pipeline.objects.for_account(owner.account)
    assert sorted(pipelines.values_list("name", flat=True)) == ["Other", "Sales"]
    assert stages_of(other.pk, owner.account) == before
    assert Stage.objects.for_account(owner.account).count() == 8
    assert stages_of(taken.pk, owner.account) == before
