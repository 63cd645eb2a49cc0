"""Two in-place saves of one activity opened on the same version, released together
(PostgreSQL, real threads, several rounds): exactly one lands, the other is shown the
conflict, and the stored activity is the acknowledged one, other field untouched."""

from functools import partial

import pytest
from django.db import connection

from activities.models import Activity
from lib.versions import version_of
from tests.factories import ActivityFactory
from tests.races import together
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
ROUNDS = 8
HTMX = {"HTTP_HX_REQUEST": "true"}


def field_url(activity, name):
    return f"/activities/{activity.pk}/fields/{name}/"


@pytest.mark.parametrize("fields", [("subject", "subject"), ("subject", "description")])
def test_of_two_in_place_saves_on_one_version_exactly_one_lands(owner, teammate, fields):
    mine, theirs = client_for(owner), client_for(teammate)
    for round_number in range(ROUNDS):
        activity = ActivityFactory(
            account=owner.account, owner=owner.user, subject="Start", description="Start"
        )
        version = version_of(activity)
        first, second = fields
        jobs = [
            partial(
                client.post,
                field_url(activity, name),
                {name: f"{who} {round_number}", "version": version},
                **HTMX,
            )
            for client, name, who in ((mine, first, "Mine"), (theirs, second, "Theirs"))
        ]
        answers = together(*jobs)
        codes = sorted(getattr(answer, "status_code", answer) for answer in answers)
        assert codes == [200, 409], answers
        won = 0 if answers[0].status_code == 200 else 1
        name, who = (first, "Mine") if won == 0 else (second, "Theirs")
        stored = Activity.objects.for_account(owner.account).get(pk=activity.pk)
        assert getattr(stored, name) == f"{who} {round_number}"
        lost_name = second if won == 0 else first
        if lost_name != name:
            assert getattr(stored, lost_name) == "Start"
