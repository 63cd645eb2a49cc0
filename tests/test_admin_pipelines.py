"""The admin's pipeline page writes the pipeline and its stages through deals/services.py,
as the API and the web settings do: a stage holding deals is not removed, probabilities
stay 0-100, names unique whatever their case, positions renumbered in the order given;
a refusal is a form error or a message, never a 500 or a silent bypass."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client

from deals.models import Pipeline, Stage
from deals.services import deal_delete
from events.models import Source
from tests.factories import DealFactory, PipelineFactory, UserFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(pipeline):
    return f"/admin/deals/pipeline/{pipeline.pk}/change/"


def rows(data) -> dict:
    """The inline's row prefix for each stage name."""
    return {
        values[0]: key.removesuffix("-name")
        for key, values in data.items()
        if key.startswith("stages-") and key.endswith("-name")
    }


def post_with(client, pipeline, edit):
    data = form_data(client.get(change_url(pipeline)).text, "pipeline_form")
    edit(data, rows(data))
    return client.post(change_url(pipeline), {**data, "_save": "Save"})


def stages_of(pipeline):
    return list(
        Stage.objects.for_account(pipeline.account_id)
        .filter(pipeline=pipeline)
        .values_list("name", "probability", "position")
    )


def trashed_deal_in(pipeline):
    """A deal of the pipeline's "Lead" stage, deleted: in the trash, which Django's own
    delete checks do not see, so only the services' rules keep its stage."""
    deal = DealFactory(account=pipeline.account, pipeline=pipeline)
    deal_delete(deal=deal, by=None, source=Source.SYSTEM)


def test_a_stage_holding_deals_is_not_removed(superuser, pipeline):
    DealFactory(account=pipeline.account, pipeline=pipeline)  # in "Lead"
    before = stages_of(pipeline)
    response = post_with(
        superuser, pipeline, lambda data, r: data.update({f"{r['Lead']}-DELETE": ["on"]})
    )
    assert response.status_code == 200
    assert "Deleting stage Sales / Lead would require deleting" in response.content.decode()
    assert stages_of(pipeline) == before


def test_a_stage_a_trashed_deal_needs_is_not_removed(superuser, pipeline):
    trashed_deal_in(pipeline)
    before = stages_of(pipeline)
    response = post_with(
        superuser, pipeline, lambda data, r: data.update({f"{r['Lead']}-DELETE": ["on"]})
    )
    assert response.status_code == 200
    assert (
        "Stages that deleted deals in the trash need cannot be removed: Lead (1 deal)"
        in response.content.decode()
    )
    assert stages_of(pipeline) == before


def test_a_probability_outside_0_to_100_is_a_form_error(superuser, pipeline):
    before = stages_of(pipeline)
    response = post_with(
        superuser, pipeline, lambda data, r: data.update({f"{r['Lead']}-probability": ["101"]})
    )
    assert response.status_code == 200
    assert "less than or equal to 100" in response.content.decode()
    assert stages_of(pipeline) == before


def test_stage_names_are_unique_whatever_their_case(superuser, pipeline):
    before = stages_of(pipeline)
    response = post_with(
        superuser, pipeline, lambda data, r: data.update({f"{r['Lead']}-name": ["qualified"]})
    )
    assert response.status_code == 200
    assert "Stage names must be unique within a pipeline" in response.content.decode()
    assert stages_of(pipeline) == before


def test_a_pipeline_keeps_at_least_one_stage(superuser, pipeline):
    def delete_all(data, r):
        for prefix in r.values():
            data[f"{prefix}-DELETE"] = ["on"]

    response = post_with(superuser, pipeline, delete_all)
    assert response.status_code == 200
    assert "A pipeline needs at least one stage." in response.content.decode()
    assert len(stages_of(pipeline)) == 4


def test_stages_are_renamed_reordered_added_and_removed_through_the_service(superuser, pipeline):
    def edit(data, r):
        data[f"{r['Lead']}-position"] = ["9"]  # last
        data[f"{r['Proposal']}-name"] = ["Offer"]
        data[f"{r['Negotiation']}-DELETE"] = ["on"]
        total = int(data["stages-TOTAL_FORMS"][0])
        data.update(
            {
                "stages-TOTAL_FORMS": [str(total + 1)],
                f"stages-{total}-position": ["5"],
                f"stages-{total}-name": ["Signed"],
                f"stages-{total}-probability": ["90"],
            }
        )

    response = post_with(superuser, pipeline, edit)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stages_of(pipeline) == [
        ("Qualified", 25, 0),
        ("Offer", 50, 1),
        ("Signed", 90, 2),
        ("Lead", 10, 3),
    ]


def test_a_pipeline_is_added_with_its_stages(superuser, account):
    response = superuser.post(
        "/admin/deals/pipeline/add/",
        {
            "account": account.pk,
            "name": "Partners",
            "stages-TOTAL_FORMS": "2",
            "stages-INITIAL_FORMS": "0",
            "stages-0-position": "1",
            "stages-0-name": "Signed",
            "stages-0-probability": "90",
            "stages-1-position": "0",
            "stages-1-name": "Intro",
            "stages-1-probability": "10",
        },
    )
    assert response.status_code == 302
    pipeline = Pipeline.objects.for_account(account).get(name="Partners")
    assert stages_of(pipeline) == [("Intro", 10, 0), ("Signed", 90, 1)]


def test_a_pipeline_a_trashed_deal_needs_is_not_deleted(superuser, pipeline):
    trashed_deal_in(pipeline)
    url = f"/admin/deals/pipeline/{pipeline.pk}/delete/"
    response = superuser.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == change_url(pipeline)
    assert "1 deleted deal needs this pipeline in the trash" in response.content.decode()
    assert Pipeline.objects.for_account(pipeline.account).filter(pk=pipeline.pk).exists()


def test_the_bulk_delete_deletes_the_free_pipelines_and_keeps_the_busy_ones(superuser, pipeline):
    free = PipelineFactory(account=pipeline.account, name="Spare")
    trashed_deal_in(pipeline)
    response = superuser.post(
        "/admin/deals/pipeline/",
        {"action": "delete_selected", "_selected_action": [pipeline.pk, free.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 deleted deal needs this pipeline in the trash" in html
    left = Pipeline.objects.for_account(pipeline.account).values_list("name", flat=True)
    assert list(left) == ["Sales"]
    # What it says and logs is what happened: one of the two went.
    assert "Deleted 1 of 2 pipelines." in html and "Successfully deleted" not in html
    logged = LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True)
    assert list(logged) == [str(free.pk)]


def test_a_bulk_delete_of_free_pipelines_deletes_and_logs_them_all(superuser, pipeline):
    spare = PipelineFactory(account=pipeline.account, name="Spare")
    response = superuser.post(
        "/admin/deals/pipeline/",
        {"action": "delete_selected", "_selected_action": [pipeline.pk, spare.pk], "post": "yes"},
        follow=True,
    )
    assert "Deleted 2 of 2 pipelines." in response.content.decode()
    assert not Pipeline.objects.for_account(pipeline.account).exists()
    logged = LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True)
    assert sorted(logged) == sorted([str(pipeline.pk), str(spare.pk)])


def test_replacing_stages_refuses_a_stage_to_keep_deleted_meanwhile(pipeline):
    """The API and the admin check a stage's id before the pipeline's lock; a stage a
    concurrent request deleted in between is a 409 (StageOrderStale), not a KeyError."""
    from deals.services import StageOrderStale, pipeline_replace_stages

    gone = Stage.objects.for_account(pipeline.account).filter(pipeline=pipeline).last()
    Stage.objects.for_account(pipeline.account).filter(pk=gone.pk).delete()
    with pytest.raises(StageOrderStale):
        pipeline_replace_stages(
            pipeline=pipeline, stages=[{"id": gone.pk, "name": "X", "probability": 5}]
        )
    assert len(stages_of(pipeline)) == 3
