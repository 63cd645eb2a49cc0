"""Two API requests on one activity released at the same instant (PostgreSQL, real
threads, a barrier, ten rounds each): for every pair of transitions, a PATCH against
each transition and PATCHes of different fields, the answers, the final activity and
its events are those of one of the two serial orders."""

import itertools

import pytest
from django.db import connection

from activities.models import Activity
from activities.services import activity_complete
from events.models import Event, Source
from tests.factories import ActivityFactory
from tests.races import ROUNDS, own_client, serial_outcomes, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
URL = "/api/v1/crm/activities/"

# An activity's state here: (status, subject, description).
MACHINE = {  # action: (from, to, event)
    "start": (("pending",), "in_progress", "activity.started"),
    "complete": (("pending", "in_progress"), "completed", "activity.completed"),
    "cancel": (("pending", "in_progress"), "cancelled", "activity.cancelled"),
    "reopen": (("completed", "cancelled"), "pending", "activity.reopened"),
}


def transition_step(action):
    allowed, status, event = MACHINE[action]

    def step(state):
        if state[0] not in allowed:
            return 409, state, None
        return 200, (status, *state[1:]), event

    return step


def patch_step(index, value):
    def step(state):
        if state[index] == value:
            return 200, state, None
        return 200, (*state[:index], value, *state[index + 1 :]), "activity.updated"

    return step


def post(action):
    return lambda client, activity: client.post(f"{URL}{activity.pk}/{action}/").status_code


def patch(body):
    return lambda client, activity: (
        client.patch(f"{URL}{activity.pk}/", body, format="json").status_code
    )


OPERATIONS = {
    **{action: (post(action), transition_step(action)) for action in MACHINE},
    "patch_subject": (patch({"subject": "Renamed"}), patch_step(1, "Renamed")),
    "patch_description": (patch({"description": "Agenda"}), patch_step(2, "Agenda")),
}
PAIRS = (
    list(itertools.combinations_with_replacement(MACHINE, 2))
    + [("patch_subject", action) for action in MACHINE]
    + [("patch_subject", "patch_description")]
)


@pytest.mark.parametrize("pair", PAIRS, ids="+".join)
def test_two_concurrent_writes_of_an_activity_act_as_one_after_the_other(owner, teammate, pair):
    clients = [own_client(owner), own_client(teammate)]
    start_done = "reopen" in pair
    for _ in range(ROUNDS):
        activity = ActivityFactory(account=owner.account, subject="Call", description="")
        if start_done:
            activity_complete(activity=activity, by=None, source=Source.SYSTEM)
        start = ("completed" if start_done else "pending", "Call", "")
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
                    lambda client=client, name=name, activity=activity: OPERATIONS[name][0](
                        client, activity
                    )
                )
                for client, name in zip(clients, pair, strict=True)
            ]
        )
        row = Activity.objects.for_account(owner.account).get(pk=activity.pk)
        assert (row.completed_at is not None) == (row.status == "completed")
        events = tuple(
            Event.objects.for_account(owner.account)
            .filter(record_type="activity", record_id=activity.pk, id__gt=last_event)
            .order_by("id")
            .values_list("type", flat=True)
        )
        seen = (tuple(codes), (row.status, row.subject, row.description), events)
        expected = serial_outcomes(start, [OPERATIONS[name][1] for name in pair])
        assert seen in [(o.codes, o.state, o.events) for o in expected], (seen, expected)
