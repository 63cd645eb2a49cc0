"""/settings/pipelines/: owners and admins manage pipelines and their stages in the web
app, members read; the delete rule (deals, also in the trash) is the API's 409 and the
pages say why and how many."""

import pytest

from accounts.models import Membership
from accounts.services import account_create
from deals.models import Pipeline, Stage
from events.kinds import kind_named
from events.models import Event, Source
from tests.conftest import make_actor
from tests.factories import DealFactory, PipelineFactory
from tests.queries import capture_queries
from tests.web_client import client_for
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db
LIST = "/settings/pipelines/"


def stage_names(pipeline):
    return list(
        Stage.objects.for_account(pipeline.account_id)
        .filter(pipeline=pipeline)
        .values_list("name", flat=True)
    )


def stages_of(pipeline):
    return list(Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline))


@pytest.fixture
def admin(account):
    return make_actor(account, Membership.Role.ADMIN, username="ada")


def write_routes(pipeline):
    stage = stages_of(pipeline)[0]
    return [
        (LIST, {"name": "New one"}),
        (f"{LIST}{pipeline.pk}/", {"name": "Renamed"}),
        (f"{LIST}{pipeline.pk}/order/", {"stages": [s.pk for s in stages_of(pipeline)][::-1]}),
        (f"{LIST}{pipeline.pk}/stages/", {"new-stage-name": "X", "new-stage-probability": "5"}),
        (
            f"{LIST}stages/{stage.pk}/",
            {f"stage-{stage.pk}-name": "Y", f"stage-{stage.pk}-probability": "7"},
        ),
        (f"{LIST}stages/{stage.pk}/move/", {"direction": "down"}),
        (f"{LIST}stages/{stage.pk}/delete/", {}),
        (f"{LIST}{pipeline.pk}/delete/", {}),
    ]


def read_routes(pipeline):
    stage = stages_of(pipeline)[0]
    return [
        LIST,
        f"{LIST}{pipeline.pk}/",
        f"{LIST}{pipeline.pk}/delete/",
        f"{LIST}stages/{stage.pk}/delete/",
    ]


def test_members_read_every_page_but_every_write_is_a_403(teammate, pipeline):
    client = client_for(teammate)
    for path in read_routes(pipeline):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "ask one" in response.content.decode() or "Back to" in response.content.decode()
    for path, data in write_routes(pipeline):
        assert client.post(path, data).status_code == 403, path
    assert Pipeline.objects.for_account(teammate.account).count() == 1
    assert stage_names(pipeline) == ["Lead", "Qualified", "Proposal", "Negotiation"]


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_may_write(role, request, pipeline):
    actor = request.getfixturevalue(role)
    client = client_for(actor)
    for path in read_routes(pipeline):
        assert client.get(path).status_code == 200, path
    for path, data in write_routes(pipeline):
        assert client.post(path, data).status_code in (200, 302), path
    # The last write deleted the (empty) pipeline.
    assert set(Pipeline.objects.for_account(actor.account).values_list("name", flat=True)) == {
        "New one"
    }


def test_the_outsider_gets_a_404_on_every_record_route(outsider, pipeline):
    client = client_for(outsider)
    for path, data in write_routes(pipeline)[1:]:
        assert client.post(path, data).status_code == 404, path
        assert client.get(path).status_code == 404, path
    assert Pipeline.objects.for_account(pipeline.account_id).get().name == "Sales"


def stage_specs(pipeline):
    return [(s.name, s.probability, s.position) for s in stages_of(pipeline)]


def test_create_gives_the_pipeline_a_new_accounts_stages_and_opens_it(owner):
    client = client_for(owner)
    response = client.post(LIST, {"name": "Renewals"})
    pipeline = Pipeline.objects.for_account(owner.account).get(name="Renewals")
    assert response.status_code == 302 and response.url == f"{LIST}{pipeline.pk}/"
    fresh = account_create(name="Fresh Co", username="fresh", password="pw")
    first = Pipeline.objects.for_account(fresh).get()
    assert stage_specs(pipeline) == stage_specs(first)
    assert stage_names(pipeline) == ["Lead", "Qualified", "Proposal", "Negotiation"]
    page = client.get(response.url).content.decode()
    assert 'value="Lead"' in page and "created with the usual stages" in page


def test_the_new_pipeline_form_names_the_stages_it_starts_with(owner):
    page = client_for(owner).get(LIST).content.decode()
    assert "It starts with the stages Lead, Qualified, Proposal and Negotiation" in page


def test_a_deal_goes_into_a_new_pipeline_at_once(owner):
    client = client_for(owner)
    client.post(LIST, {"name": "Renewals"})
    pipeline = Pipeline.objects.for_account(owner.account).get(name="Renewals")
    data = {"title": "Renewal", "pipeline": pipeline.pk, "currency": "USD"}
    response = client.post("/deals/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert pipeline.deals.get().stage.name == "Lead"


# A name another request took after this one's form was validated: the forms' own
# checks are switched off, so the service meets the taken name as it would in a race.


@pytest.fixture
def late_pipeline_name(monkeypatch):
    monkeypatch.setattr(
        "web.pipeline_settings.forms.PipelineForm.clean_name",
        lambda form: form.cleaned_data["name"],
    )


@pytest.fixture
def late_stage_name(monkeypatch):
    monkeypatch.setattr(
        "web.pipeline_settings.forms.StageForm.clean_name", lambda form: form.cleaned_data["name"]
    )


def test_a_pipeline_name_taken_meanwhile_is_the_forms_error_and_writes_nothing(
    owner, pipeline, late_pipeline_name
):
    client = client_for(owner)
    response = client.post(LIST, {"name": "SALES"})
    assert response.status_code == 400
    assert "A pipeline with this name already exists." in response.content.decode()
    assert list(Pipeline.objects.for_account(owner.account).values_list("name", flat=True)) == [
        "Sales"
    ]
    assert Stage.objects.for_account(owner.account).count() == 4
    other = PipelineFactory(account=owner.account, name="Other")
    response = client.post(f"{LIST}{other.pk}/", {"name": "sales"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A pipeline with this name already exists." in page
    assert "<h1>Other</h1>" in page  # the stored name, not the refused one
    other.refresh_from_db()
    assert other.name == "Other"


def test_a_stage_name_taken_meanwhile_is_the_forms_error_whatever_its_case(
    owner, pipeline, late_stage_name
):
    client = client_for(owner)
    lead, qualified, *_ = stages_of(pipeline)
    response = client.post(
        f"{LIST}{pipeline.pk}/stages/", {"new-stage-name": "LEAD", "new-stage-probability": "5"}
    )
    assert response.status_code == 400
    assert "Stage names must be unique within a pipeline." in response.content.decode()
    prefix = f"stage-{qualified.pk}"
    response = client.post(
        f"{LIST}stages/{qualified.pk}/",
        {f"{prefix}-name": "Lead", f"{prefix}-probability": "99"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Stage names must be unique within a pipeline." in response.content.decode()
    assert stage_specs(pipeline) == [
        ("Lead", 10, 0),
        ("Qualified", 25, 1),
        ("Proposal", 50, 2),
        ("Negotiation", 75, 3),
    ]
    # Its own name in another case is no clash.
    ok = client.post(
        f"{LIST}stages/{qualified.pk}/",
        {f"{prefix}-name": "QUALIFIED", f"{prefix}-probability": "25"},
    )
    assert ok.status_code == 302
    assert stage_names(pipeline)[1] == "QUALIFIED"


def test_a_stage_deleted_meanwhile_is_a_404_on_its_edit(owner, pipeline, monkeypatch):
    lead = stages_of(pipeline)[0]

    def deleted_meanwhile(*, stage, data):
        raise Stage.DoesNotExist

    monkeypatch.setattr("web.pipeline_settings.views.stage_update", deleted_meanwhile)
    prefix = f"stage-{lead.pk}"
    response = client_for(owner).post(
        f"{LIST}stages/{lead.pk}/", {f"{prefix}-name": "X", f"{prefix}-probability": "5"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["", " ", "a" * 101, "bad\x07name", "SALES"])
def test_a_bad_or_taken_name_is_a_400_and_writes_nothing(owner, pipeline, name):
    client = client_for(owner)
    assert client.post(LIST, {"name": name}).status_code == 400
    other = PipelineFactory(account=owner.account, name="Other")
    assert client.post(f"{LIST}{other.pk}/", {"name": name}).status_code == 400
    names = set(Pipeline.objects.for_account(owner.account).values_list("name", flat=True))
    assert names == {"Sales", "Other"}


def test_rename_keeps_its_own_name_in_another_case(owner, pipeline):
    response = client_for(owner).post(f"{LIST}{pipeline.pk}/", {"name": "SALES"})
    assert response.status_code == 302
    pipeline.refresh_from_db()
    assert pipeline.name == "SALES"


def test_add_edit_and_bad_stage_input(owner, pipeline):
    client = client_for(owner)
    url = f"{LIST}{pipeline.pk}/stages/"
    assert (
        client.post(url, {"new-stage-name": "Won?", "new-stage-probability": "90"}).status_code
        == 302
    )
    assert stage_names(pipeline)[-1] == "Won?"
    assert [s.position for s in stages_of(pipeline)] == [0, 1, 2, 3, 4]
    for bad in (
        {"new-stage-name": "lead", "new-stage-probability": "5"},  # taken, any case
        {"new-stage-name": "X", "new-stage-probability": "101"},
        {"new-stage-name": "X", "new-stage-probability": "-1"},
        {"new-stage-name": "X", "new-stage-probability": "²"},
        {"new-stage-name": "", "new-stage-probability": "5"},
    ):
        assert client.post(url, bad).status_code == 400, bad
    assert len(stage_names(pipeline)) == 5
    lead = stages_of(pipeline)[0]
    edit = f"{LIST}stages/{lead.pk}/"
    prefix = f"stage-{lead.pk}"
    ok = client.post(edit, {f"{prefix}-name": "Lead in", f"{prefix}-probability": "15"})
    assert ok.status_code == 302
    lead.refresh_from_db()
    assert (lead.name, lead.probability) == ("Lead in", 15)
    clash = client.post(edit, {f"{prefix}-name": "QUALIFIED", f"{prefix}-probability": "15"})
    assert clash.status_code == 400
    assert "unique within a pipeline" in clash.content.decode()


def test_a_stage_with_deals_says_why_and_how_many_and_its_delete_is_a_409(owner, pipeline):
    lead, qualified, *_ = stages_of(pipeline)
    DealFactory.create_batch(2, pipeline=pipeline, stage=lead)
    client = client_for(owner)
    page = client.get(f"{LIST}stages/{lead.pk}/delete/").content.decode()
    assert "cannot be deleted" in page and "2 deals are in it" in page
    assert "Delete stage</button>" not in page
    response = client.post(f"{LIST}stages/{lead.pk}/delete/")
    assert response.status_code == 409
    assert "Lead (2 deals)" in response.content.decode()
    assert stage_names(pipeline)[0] == "Lead"
    assert client.post(f"{LIST}stages/{qualified.pk}/delete/").status_code == 302
    assert "Qualified" not in stage_names(pipeline)


def test_a_stage_a_trashed_deal_needs_cannot_be_deleted(owner, pipeline):
    lead = stages_of(pipeline)[0]
    deal = DealFactory(pipeline=pipeline, stage=lead)
    records_trash(kind_named("deal"), rows=[deal], by=None, source=Source.UI)
    client = client_for(owner)
    page = client.get(f"{LIST}stages/{lead.pk}/delete/").content.decode()
    assert "1 deleted deal in the trash" in page
    assert client.post(f"{LIST}stages/{lead.pk}/delete/").status_code == 409
    pipeline_page = client.get(f"{LIST}{pipeline.pk}/delete/").content.decode()
    assert "cannot be deleted" in pipeline_page and "1 deleted deal in the trash" in pipeline_page
    assert client.post(f"{LIST}{pipeline.pk}/delete/").status_code == 409
    assert "Lead" in stage_names(pipeline)


def test_a_pipeline_with_deals_says_how_many_and_its_delete_is_a_409(owner, pipeline):
    DealFactory.create_batch(3, pipeline=pipeline)
    client = client_for(owner)
    page = client.get(f"{LIST}{pipeline.pk}/delete/").content.decode()
    assert "cannot be deleted" in page and "3 deals are in it" in page
    response = client.post(f"{LIST}{pipeline.pk}/delete/")
    assert response.status_code == 409 and "holds 3 deals" in response.content.decode()
    assert Pipeline.objects.for_account(owner.account).exists()


def test_reorder_puts_the_stages_in_the_order_sent(owner, pipeline):
    stages = stages_of(pipeline)
    order = [stages[2].pk, stages[0].pk, stages[3].pk, stages[1].pk]
    response = client_for(owner).post(
        f"{LIST}{pipeline.pk}/order/", {"stages": order}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="stages"' in response.content.decode()
    assert [s.pk for s in stages_of(pipeline)] == order
    assert [s.position for s in stages_of(pipeline)] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "order",
    [
        lambda ids, other: ids[:-1],  # one missing (deleted meanwhile, or added)
        lambda ids, other: [*ids, ids[0]],  # twice
        lambda ids, other: [*ids[:-1], other],  # another pipeline's stage
        lambda ids, other: ["x", *ids[1:]],
        lambda ids, other: [],
    ],
)
def test_a_stale_or_bad_order_is_refused_and_changes_nothing(owner, pipeline, order):
    ids = [s.pk for s in stages_of(pipeline)]
    other = stages_of(PipelineFactory(account=owner.account))[0].pk
    response = client_for(owner).post(f"{LIST}{pipeline.pk}/order/", {"stages": order(ids, other)})
    assert response.status_code in (400, 409)
    assert [s.pk for s in stages_of(pipeline)] == ids


def test_move_up_and_down_and_at_the_ends_it_stays(owner, pipeline):
    client = client_for(owner)
    lead, qualified, proposal, negotiation = stages_of(pipeline)
    client.post(f"{LIST}stages/{proposal.pk}/move/", {"direction": "up"})
    assert stage_names(pipeline) == ["Lead", "Proposal", "Qualified", "Negotiation"]
    client.post(f"{LIST}stages/{lead.pk}/move/", {"direction": "up"})
    client.post(f"{LIST}stages/{negotiation.pk}/move/", {"direction": "down"})
    assert stage_names(pipeline) == ["Lead", "Proposal", "Qualified", "Negotiation"]
    assert (
        client.post(f"{LIST}stages/{lead.pk}/move/", {"direction": "sideways"}).status_code == 400
    )


def test_pipeline_writes_append_no_events_as_the_apis_do_not(owner, pipeline):
    client = client_for(owner)
    for path, data in write_routes(pipeline)[:-1]:
        client.post(path, data)
    assert not Event.objects.for_account(owner.account).exists()


def test_the_api_rename_goes_through_the_service(owner, pipeline):
    response = owner.client.patch(
        f"/api/v1/crm/pipelines/{pipeline.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 200
    pipeline.refresh_from_db()
    assert pipeline.name == "Renamed"


def test_the_pages_cost_a_constant_number_of_queries(owner):
    client = client_for(owner)
    small = PipelineFactory(account=owner.account, name="Small")
    big = PipelineFactory(account=owner.account, name="Big")
    for extra in range(6):
        Stage.objects.create(
            account=owner.account,
            pipeline=big,
            name=f"S{extra}",
            probability=5,
            position=10 + extra,
        )
    DealFactory.create_batch(5, pipeline=big)
    counts = []
    for pipeline in (small, big):
        with capture_queries() as queries:
            assert client.get(f"{LIST}{pipeline.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with capture_queries() as few:
        client.get(LIST)
    PipelineFactory.create_batch(4, account=owner.account)
    with capture_queries() as many:
        client.get(LIST)
    assert len(few) == len(many)


def test_the_empty_board_and_the_new_deal_page_point_to_the_settings(owner, teammate):
    owner_client, member_client = client_for(owner), client_for(teammate)
    for path in ("/pipeline/", "/deals/new/"):
        assert "/settings/pipelines/" in owner_client.get(path).content.decode(), path
        page = member_client.get(path).content.decode()
        assert "/settings/pipelines/" not in page and "Ask an owner or admin" in page, path


def test_the_pipeline_page_counts_trashed_deals_per_stage_in_the_database(owner, pipeline):
    lead, qualified, *_ = stages_of(pipeline)
    other = PipelineFactory(account=owner.account, name="Other")
    client = client_for(owner)

    def trash(count, pipeline, stage):
        deals = DealFactory.create_batch(count, pipeline=pipeline, stage=stage)
        records_trash(kind_named("deal"), rows=deals, by=None, source=Source.UI)

    def read():
        with capture_queries() as queries:
            response = client.get(f"{LIST}{pipeline.pk}/")
        assert response.status_code == 200
        return response.content.decode(), queries

    trash(1, pipeline, lead)
    page, few = read()
    assert "1 in the trash" in page
    trash(4, pipeline, lead)
    trash(2, pipeline, qualified)
    trash(6, other, stages_of(other)[0])  # another pipeline's: not counted here
    page, many = read()
    assert "5 in the trash" in page and "2 in the trash" in page
    assert "6 in the trash" not in page
    assert len(few) == len(many), f"{few}\n---\n{many}"
    # One grouped query reads the trash: the rows themselves never leave the database.
    (trash_query,) = many.matching("trash_trashedrecord")
    assert "COUNT(" in trash_query and "GROUP BY" in trash_query
    assert TrashedRecord.objects.for_account(owner.account).count() == 13
