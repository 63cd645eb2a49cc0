"""Two API requests on one deal released at the same instant (PostgreSQL, real threads,
a barrier, ten rounds each): for every pair of transitions, a PATCH against each
transition and PATCHes of different fields, the answers, the final deal and its
events are those of one of the two serial orders: exactly one of two closing moves
wins, the other is a 409 that appends nothing, and no acknowledged write is lost."""

import itertools

import pytest
from django.db import connection

from deals.models import Deal, Stage
from deals.services import deal_win
from events.models import Event, Source
from tests.factories import DealFactory
from tests.races import ROUNDS, own_client, serial_outcomes, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
URL = "/api/v1/crm/deals/"
CLOSED = ("won", "lost", "abandoned")


# A deal's state here: (status, stage index, title, value_cents). Each operation is the
# request it sends and what it does to a state, run alone: (code, new state, event).


def closing(status, event):
    def step(state):
        if state[0] != "open":
            return 409, state, None
        return 200, (status, *state[1:]), event

    return step


def reopen_step(state):
    if state[0] == "open":
        return 409, state, None
    return 200, ("open", *state[1:]), "deal.reopened"


def move_step(stage_index):
    def step(state):
        if state[0] != "open":
            return 409, state, None
        changed = state[1] != stage_index
        return 200, (state[0], stage_index, *state[2:]), "deal.moved" if changed else None

    return step


def patch_stage_step(stage_index):
    def step(state):
        if state[1] == stage_index:
            return 200, state, None
        if state[0] != "open":
            return 409, state, None
        return 200, (state[0], stage_index, *state[2:]), "deal.moved"

    return step


def patch_step(index, value):
    def step(state):
        if state[index] == value:
            return 200, state, None
        return 200, (*state[:index], value, *state[index + 1 :]), "deal.updated"

    return step


def operations(stages):
    """name: (request(client, deal), step)."""

    def post(action, body=None):
        return lambda client, deal: (
            client.post(f"{URL}{deal.pk}/{action}/", body or {}, format="json").status_code
        )

    def patch(body):
        return lambda client, deal: (
            client.patch(f"{URL}{deal.pk}/", body, format="json").status_code
        )

    return {
        "win": (post("win"), closing("won", "deal.won")),
        "lose": (post("lose", {"reason": "price"}), closing("lost", "deal.lost")),
        "abandon": (post("abandon"), closing("abandoned", "deal.abandoned")),
        "reopen": (post("reopen"), reopen_step),
        "move": (post("move", {"stage": stages[1].pk}), move_step(1)),
        "move_further": (post("move", {"stage": stages[2].pk}), move_step(2)),
        "patch_title": (patch({"title": "Renamed"}), patch_step(2, "Renamed")),
        "patch_value": (patch({"value_cents": 777}), patch_step(3, 777)),
        "patch_stage": (patch({"stage": stages[3].pk}), patch_stage_step(3)),
    }


TRANSITIONS = ["win", "lose", "abandon", "move", "reopen"]
PAIRS = (
    [
        (a, "move_further" if (a, b) == ("move", "move") else b)
        for a, b in itertools.combinations_with_replacement(TRANSITIONS, 2)
    ]
    + [("patch_title", t) for t in TRANSITIONS]
    + [
        ("patch_stage", "win"),
        ("patch_stage", "move"),
        ("patch_title", "patch_value"),
    ]
)


def observe(deal, stages, after_event_id):
    row = Deal.objects.for_account(deal.account_id).get(pk=deal.pk)
    index = [s.pk for s in stages].index(row.stage_id)
    events = (
        Event.objects.for_account(deal.account_id)
        .filter(record_type="deal", record_id=deal.pk, id__gt=after_event_id)
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert (row.closed_at is None) == (row.status == "open")
    return (row.status, index, row.title, row.value_cents), tuple(events)


@pytest.mark.parametrize("pair", PAIRS, ids="+".join)
def test_two_concurrent_writes_of_a_deal_act_as_one_after_the_other(
    owner, teammate, pipeline, pair
):
    stages = list(Stage.objects.for_account(owner.account).filter(pipeline=pipeline))
    ops = operations(stages)
    clients = [own_client(owner), own_client(teammate)]
    start_won = "reopen" in pair
    for _ in range(ROUNDS):
        deal = DealFactory(pipeline=pipeline, stage=stages[0], title="Pilot", value_cents=1)
        if start_won:
            deal_win(deal=deal, by=None, source=Source.SYSTEM)
        start = ("won" if start_won else "open", 0, "Pilot", 1)
        last_event = (
            Event.objects.for_account(owner.account)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        codes = together(
            *[
                (lambda client=client, name=name, deal=deal: ops[name][0](client, deal))
                for client, name in zip(clients, pair, strict=True)
            ]
        )
        state, events = observe(deal, stages, last_event)
        expected = serial_outcomes(start, [ops[name][1] for name in pair])
        seen = (tuple(codes), state, events)
        assert seen in [(o.codes, o.state, o.events) for o in expected], (seen, expected)
