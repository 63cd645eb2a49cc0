"""The web app's writes meeting on one record (PostgreSQL, real threads released by a
barrier, ten rounds each): the deal edit form against the board's move and win, two
edit forms changing different fields, the board's actions against each other, and the
agenda's row actions. The answers, the final record and its events are those of one of
the two serial orders; an edit form never undoes a concurrent move or win."""

import pytest
from django.db import connection

from activities.models import Activity
from deals.models import Deal, Stage
from events.models import Event
from tests.factories import ActivityFactory, DealFactory
from tests.html_forms import form_data
from tests.races import ROUNDS, serial_outcomes, together
from tests.test_races_activities import transition_step
from tests.test_races_deals import closing, move_step, patch_stage_step, patch_step
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,  # 8-13 s a pair of writes on PostgreSQL (--durations)
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
HTMX = {"HX-Request": "true"}


def edit_form(**changes):
    """Open the deal's edit form now (its version and opened values, as a browser
    holds them), and return the job that posts it back with `changes`: a saved form
    redirects (200 here); one refused, by the state machine or because the deal changed
    since it was opened, is shown again (409)."""

    def open_form(client, deal, stages):
        sent = form_data(client.get(f"/deals/{deal.pk}/edit/").content.decode(), "deal-form")
        for name, value in changes.items():
            sent[name] = [stages[value].pk if name == "stage" else value]

        def post():
            response = client.post(f"/deals/{deal.pk}/edit/", sent)
            return {302: 200, 200: 409}.get(response.status_code, response.status_code)

        return post

    return open_form


def board(action, **body):
    def ready(client, deal, stages):
        data = {key: stages[value].pk for key, value in body.items()}
        return lambda: client.post(f"/deals/{deal.pk}/{action}/", data, headers=HTMX).status_code

    return ready


def opened_at(start, step):
    """The model of a form opened on `start`: refused (409, nothing written) once the
    deal has changed since, whichever write changed it."""

    def form_step(state):
        return step(state) if state == start else (409, state, None)

    return form_step


START = ("open", 0, "Pilot", 1)
DEAL_OPERATIONS = {
    "form_title": (edit_form(title="Renamed"), opened_at(START, patch_step(2, "Renamed"))),
    "form_value": (edit_form(value="7.77"), opened_at(START, patch_step(3, 777))),
    "form_stage": (edit_form(stage=3), opened_at(START, patch_stage_step(3))),
    "board_move": (board("move", stage=1), move_step(1)),
    "board_win": (board("win"), closing("won", "deal.won")),
    "board_lose": (board("lose"), closing("lost", "deal.lost")),
}
DEAL_PAIRS = [
    ("form_title", "board_win"),
    ("form_title", "board_move"),
    ("form_stage", "board_win"),
    ("form_stage", "board_move"),
    ("form_title", "form_value"),
    ("board_move", "board_win"),
    ("board_win", "board_lose"),
]


@pytest.mark.parametrize("pair", DEAL_PAIRS, ids="+".join)
def test_two_concurrent_web_writes_of_a_deal_act_as_one_after_the_other(
    owner, teammate, pipeline, pair
):
    stages = list(Stage.objects.for_account(owner.account).filter(pipeline=pipeline))
    clients = [client_for(owner), client_for(teammate)]
    for _ in range(ROUNDS):
        deal = DealFactory(
            pipeline=pipeline,
            stage=stages[0],
            title="Pilot",
            value_cents=1,
            currency="USD",
            owner=owner.user,
        )
        last_event = (
            Event.objects.for_account(owner.account)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        codes = together(
            *[
                DEAL_OPERATIONS[name][0](client, deal, stages)
                for client, name in zip(clients, pair, strict=True)
            ]
        )
        row = Deal.objects.for_account(owner.account).get(pk=deal.pk)
        state = (row.status, [s.pk for s in stages].index(row.stage_id), row.title, row.value_cents)
        events = tuple(
            Event.objects.for_account(owner.account)
            .filter(record_type="deal", record_id=deal.pk, id__gt=last_event)
            .order_by("id")
            .values_list("type", flat=True)
        )
        expected = serial_outcomes(START, [DEAL_OPERATIONS[name][1] for name in pair])
        seen = (tuple(codes), state, events)
        assert seen in [(o.codes, o.state, o.events) for o in expected], (seen, expected)


@pytest.mark.parametrize(
    "pair", [("complete", "cancel"), ("start", "complete"), ("cancel", "cancel")], ids="+".join
)
def test_two_concurrent_agenda_actions_act_as_one_after_the_other(owner, teammate, pair):
    clients = [client_for(owner), client_for(teammate)]
    for _ in range(ROUNDS):
        activity = ActivityFactory(account=owner.account, subject="Call", description="")
        last_event = (
            Event.objects.for_account(owner.account)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        codes = together(
            *[
                (
                    lambda client=client, action=action, activity=activity: (
                        client.post(
                            f"/agenda/activities/{activity.pk}/{action}/", headers=HTMX
                        ).status_code
                    )
                )
                for client, action in zip(clients, pair, strict=True)
            ]
        )
        row = Activity.objects.for_account(owner.account).get(pk=activity.pk)
        events = tuple(
            Event.objects.for_account(owner.account)
            .filter(record_type="activity", record_id=activity.pk, id__gt=last_event)
            .order_by("id")
            .values_list("type", flat=True)
        )
        expected = serial_outcomes(
            ("pending", "Call", ""), [transition_step(action) for action in pair]
        )
        seen = (tuple(codes), (row.status, row.subject, row.description), events)
        assert seen in [(o.codes, o.state, o.events) for o in expected], (seen, expected)
