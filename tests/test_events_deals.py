"""Every write to a deal, from every face (API, web app, admin), goes through
deals.services and appends its event in the same transaction: the right type, actor,
source, changes and data; nothing for a no-op or a refused write."""

import pytest
from django.db import connection, transaction
from django.test import Client

from deals.models import Deal, Stage
from deals.services import deal_update, deal_win
from events.models import Event, Source
from tests.factories import DealFactory, UserFactory
from tests.queries import capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/deals/"


def stages(pipeline):
    return list(Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline))


def events_of(deal):
    return list(
        Event.objects.for_account(deal.account_id)
        .filter(record_type="deal", record_id=deal.pk)
        .order_by("id")
    )


def stored(deal):
    return Deal.objects.for_account(deal.account_id).get(pk=deal.pk)


@pytest.fixture
def deal(owner, pipeline):
    return DealFactory(
        pipeline=pipeline,
        title="Pilot",
        value_cents=1000,
        stage=stages(pipeline)[0],
        owner=owner.user,
    )


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# -- the API ------------------------------------------------------------------------


def test_creating_a_deal_through_the_api_records_who_and_the_whole_deal(owner, pipeline):
    response = owner.client.post(URL, {"title": "Big one", "pipeline": pipeline.pk}, format="json")
    assert response.status_code == 201
    (event,) = events_of(Deal(pk=response.json()["id"], account_id=owner.account.pk))
    assert (event.type, event.actor_id, event.source) == ("deal.created", owner.user.pk, "api")
    assert event.changes == {}
    assert event.data == response.json()


def test_a_patch_records_only_the_fields_that_changed_before_and_after(owner, deal):
    response = owner.client.patch(
        f"{URL}{deal.pk}/", {"title": "Pilot 2", "value_cents": 1000}, format="json"
    )
    assert response.status_code == 200
    (event,) = events_of(deal)
    assert (event.type, event.actor_id, event.source) == ("deal.updated", owner.user.pk, "api")
    assert event.changes == {"title": ["Pilot", "Pilot 2"]}
    assert event.data == response.json()


def test_a_patch_that_changes_nothing_appends_nothing_and_writes_nothing(owner, deal):
    before = stored(deal).updated_at
    response = owner.client.patch(f"{URL}{deal.pk}/", {"title": "Pilot"}, format="json")
    assert response.status_code == 200
    assert events_of(deal) == []
    assert stored(deal).updated_at == before


def test_a_patch_writes_only_the_fields_sent_never_status_or_closed_at(owner, deal):

    with capture_queries() as queries:
        response = owner.client.patch(f"{URL}{deal.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    (update,) = [sql for sql in queries.sql if sql.startswith('UPDATE "deals_deal"')]
    set_clause = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert '"title"' in set_clause and '"updated_at"' in set_clause
    assert '"status"' not in set_clause and '"closed_at"' not in set_clause
    assert '"stage_id"' not in set_clause


def test_a_stale_copy_of_a_deal_never_undoes_a_win(owner, deal):
    stale = stored(deal)
    deal_win(deal=deal, by=owner.user, source=Source.API)
    deal_update(deal=stale, by=owner.user, source=Source.API, data={"title": "Later"})
    after = stored(deal)
    assert (after.status, after.title) == ("won", "Later")
    assert after.closed_at is not None


@pytest.mark.parametrize(
    ("action", "body", "event_type", "changes"),
    [
        ("win", {}, "deal.won", {"status": ["open", "won"]}),
        (
            "lose",
            {"reason": "price"},
            "deal.lost",
            {"status": ["open", "lost"], "lost_reason": ["", "price"]},
        ),
        ("abandon", {}, "deal.abandoned", {"status": ["open", "abandoned"]}),
    ],
)
def test_closing_a_deal_records_its_transition(owner, deal, action, body, event_type, changes):
    response = owner.client.post(f"{URL}{deal.pk}/{action}/", body, format="json")
    assert response.status_code == 200
    (event,) = events_of(deal)
    assert (event.type, event.actor_id, event.source) == (event_type, owner.user.pk, "api")
    closed_at = event.changes.pop("closed_at")
    assert closed_at == [None, response.json()["closed_at"]]
    assert event.changes == changes
    assert event.data == response.json()


def test_reopening_records_the_reopen(owner, deal):
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    response = owner.client.post(f"{URL}{deal.pk}/reopen/", format="json")
    assert response.status_code == 200
    won, reopened = events_of(deal)
    assert (won.type, won.actor_id, won.source) == ("deal.won", None, "system")
    assert (reopened.type, reopened.actor_id, reopened.source) == (
        "deal.reopened",
        owner.user.pk,
        "api",
    )
    assert reopened.changes["status"] == ["won", "open"]


def test_a_move_records_the_stage_and_the_deals_own_probability(owner, deal, pipeline):
    target = stages(pipeline)[2]
    response = owner.client.post(
        f"{URL}{deal.pk}/move/", {"stage": target.pk, "probability": 40}, format="json"
    )
    assert response.status_code == 200
    (event,) = events_of(deal)
    assert event.type == "deal.moved"
    assert event.changes == {
        "stage": [stages(pipeline)[0].pk, target.pk],
        "probability": [None, 40],
    }


def test_a_move_restarts_the_time_in_stage_and_other_edits_do_not(owner, deal, pipeline):
    entered = stored(deal).stage_entered_at
    owner.client.patch(f"{URL}{deal.pk}/", {"title": "Renamed"}, format="json")
    assert stored(deal).stage_entered_at == entered
    response = owner.client.post(
        f"{URL}{deal.pk}/move/", {"stage": stages(pipeline)[1].pk}, format="json"
    )
    assert response.json()["stage_entered_at"] > response.json()["created_at"]
    assert stored(deal).stage_entered_at > entered


def test_stage_entered_at_is_read_only(owner, deal):
    entered = stored(deal).stage_entered_at
    response = owner.client.patch(
        f"{URL}{deal.pk}/", {"stage_entered_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert stored(deal).stage_entered_at == entered
    assert events_of(deal) == []


def test_a_patch_of_the_stage_alone_is_a_move(owner, deal, pipeline):
    owner.client.patch(f"{URL}{deal.pk}/", {"stage": stages(pipeline)[1].pk}, format="json")
    (event,) = events_of(deal)
    assert event.type == "deal.moved"
    assert event.changes == {"stage": [stages(pipeline)[0].pk, stages(pipeline)[1].pk]}


def test_a_refused_transition_appends_nothing(owner, deal):
    deal_win(deal=deal, by=None, source=Source.SYSTEM)
    for action in ("win", "lose", "abandon"):
        assert owner.client.post(f"{URL}{deal.pk}/{action}/").status_code == 409
    response = owner.client.patch(f"{URL}{deal.pk}/", {"stage": deal.stage_id + 1}, format="json")
    assert response.status_code == 409
    assert [e.type for e in events_of(deal)] == ["deal.won"]


def test_a_write_that_rolls_back_leaves_no_event(owner, deal):
    with pytest.raises(RuntimeError), transaction.atomic():
        deal_win(deal=deal, by=owner.user, source=Source.API)
        raise RuntimeError("the request failed after the win")
    assert events_of(deal) == []
    assert stored(deal).status == "open"


def test_deleting_a_deal_records_it_as_it_was(owner, deal):
    shown = owner.client.get(f"{URL}{deal.pk}/").json()
    assert owner.client.delete(f"{URL}{deal.pk}/").status_code == 204
    (event,) = events_of(deal)
    assert (event.type, event.actor_id, event.source) == ("deal.deleted", owner.user.pk, "api")
    assert event.data == shown


# -- the web app --------------------------------------------------------------------


def test_the_web_app_records_its_writes_as_the_signed_in_user(owner, pipeline):
    client = client_for(owner)
    lead, qualified = stages(pipeline)[:2]
    response = client.post(
        "/deals/new/",
        {"title": "From the form", "pipeline": pipeline.pk, "currency": "USD", "value": "12.50"},
    )
    assert response.status_code == 302
    deal = Deal.objects.for_account(owner.account).get(title="From the form")
    assert (deal.value_cents, deal.stage_id) == (1250, lead.pk)
    client.post(
        f"/deals/{deal.pk}/edit/",
        {"title": "Renamed", "pipeline": pipeline.pk, "currency": "USD", "value": "12.50"},
    )
    client.post(f"/deals/{deal.pk}/move/", {"stage": qualified.pk})
    client.post(f"/deals/{deal.pk}/lose/", {"reason": "Too dear"})
    client.post(f"/deals/{deal.pk}/reopen/")
    client.post(f"/deals/{deal.pk}/abandon/")
    client.post(f"/deals/{deal.pk}/reopen/")
    client.post(f"/deals/{deal.pk}/win/")
    events = events_of(deal)
    assert [e.type for e in events] == [
        "deal.created",
        "deal.updated",
        "deal.moved",
        "deal.lost",
        "deal.reopened",
        "deal.abandoned",
        "deal.reopened",
        "deal.won",
    ]
    assert {(e.actor_id, e.source) for e in events} == {(owner.user.pk, "ui")}
    assert events[1].changes == {"title": ["From the form", "Renamed"]}
    assert events[2].changes == {"stage": [lead.pk, qualified.pk]}


# -- the admin ----------------------------------------------------------------------


def admin_form(deal, **changes):
    return {
        "account": deal.account_id,
        "title": deal.title,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "value_cents": deal.value_cents,
        "currency": deal.currency,
        "probability": "",
        "expected_close_date": "",
        "contact": "",
        "company": "",
        "owner": deal.owner_id or "",
        **changes,
    }


def test_the_admin_records_saves_actions_and_deletes(admin_client, deal):
    admin = admin_client.get("/admin/").wsgi_request.user
    response = admin_client.post(
        f"/admin/deals/deal/{deal.pk}/change/", admin_form(deal, title="From the admin")
    )
    assert response.status_code == 302
    admin_client.post("/admin/deals/deal/", {"action": "mark_win", "_selected_action": [deal.pk]})
    admin_client.post(
        "/admin/deals/deal/", {"action": "mark_reopen", "_selected_action": [deal.pk]}
    )
    admin_client.post(f"/admin/deals/deal/{deal.pk}/delete/", {"post": "yes"})
    events = events_of(deal)
    assert [e.type for e in events] == ["deal.updated", "deal.won", "deal.reopened", "deal.deleted"]
    assert {(e.actor_id, e.source) for e in events} == {(admin.pk, "admin")}
    assert events[0].changes == {"title": ["Pilot", "From the admin"]}


def test_a_deal_added_in_the_admin_is_recorded(admin_client, account, pipeline):
    lead = stages(pipeline)[0]
    response = admin_client.post(
        "/admin/deals/deal/add/",
        {
            "account": account.pk,
            "title": "Admin deal",
            "pipeline": pipeline.pk,
            "stage": lead.pk,
            "value_cents": 5,
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    deal = Deal.objects.for_account(account).get(title="Admin deal")
    (event,) = events_of(deal)
    assert (event.type, event.source) == ("deal.created", "admin")
    assert event.data["stage"] == lead.pk


def test_the_admins_bulk_delete_records_each_deal_in_one_batch(admin_client, owner, pipeline):

    deals = DealFactory.create_batch(3, pipeline=pipeline)
    with capture_queries() as queries:
        response = admin_client.post(
            "/admin/deals/deal/",
            {"action": "delete_selected", "post": "yes", "_selected_action": [d.pk for d in deals]},
        )
    assert response.status_code == 302
    inserts = [sql for sql in queries.sql if sql.startswith('INSERT INTO "events_event"')]
    assert len(inserts) == 1
    assert not Deal.objects.for_account(owner.account).exists()
    events = [events_of(d) for d in deals]
    assert [[e.type for e in es] for es in events] == [["deal.deleted"]] * 3
    assert {es[0].source for es in events} == {"admin"}
    assert [es[0].data["id"] for es in events] == [d.pk for d in deals]


def test_the_admins_bulk_delete_spans_accounts_one_account_at_a_time(
    admin_client, owner, pipeline, outsider
):
    # Each account's rows are locked apart: on Citus, FOR UPDATE may not span shards.
    deals = [DealFactory(pipeline=pipeline), DealFactory(account=outsider.account)]
    with capture_queries() as queries:
        response = admin_client.post(
            "/admin/deals/deal/",
            {"action": "delete_selected", "post": "yes", "_selected_action": [d.pk for d in deals]},
        )
    assert response.status_code == 302
    if connection.features.has_select_for_update:  # not SQLite
        locks = [sql for sql in queries.sql if "FOR UPDATE" in sql and '"deals_deal"' in sql]
        assert len(locks) == 2
        assert all('"deals_deal"."account_id" = ' in sql for sql in locks)
    assert [[e.type for e in events_of(d)] for d in deals] == [["deal.deleted"]] * 2
