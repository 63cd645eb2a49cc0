"""Two admins reorder one pipeline's stages at the same instant in the web app
(PostgreSQL, real threads, a barrier, repeated): the stage writes take the pipeline's
lock, so the stages end in one of the two orders sent, whole, with positions 0..n-1,
and two moves of different stages both land."""

import pytest
from django.db import connection

from accounts.models import Membership
from deals.models import Stage
from tests.conftest import make_actor
from tests.factories import PipelineFactory
from tests.races import ROUNDS, together
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def stages_of(pipeline):
    return list(Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline))


def test_two_reorders_at_once_leave_one_of_the_orders_whole(owner, account):
    admin = make_actor(account, Membership.Role.ADMIN, username="ada")
    pipeline = PipelineFactory(account=account)
    ids = [s.pk for s in stages_of(pipeline)]
    first, second = ids[::-1], [ids[2], ids[0], ids[3], ids[1]]
    url = f"/settings/pipelines/{pipeline.pk}/order/"
    for _ in range(ROUNDS):
        Stage.objects.for_account(account).filter(pk__in=ids).update(position=0)
        codes = together(
            lambda: client_for(owner).post(url, {"stages": first}).status_code,
            lambda: client_for(admin).post(url, {"stages": second}).status_code,
        )
        assert codes == [302, 302], codes
        stages = stages_of(pipeline)
        assert [s.position for s in stages] == [0, 1, 2, 3]
        assert [s.pk for s in stages] in (first, second)


def test_two_moves_at_once_both_land(owner, account):
    admin = make_actor(account, Membership.Role.ADMIN, username="ada")
    pipeline = PipelineFactory(account=account)
    lead, qualified, proposal, negotiation = stages_of(pipeline)
    for _ in range(ROUNDS):
        for position, stage in enumerate((lead, qualified, proposal, negotiation)):
            Stage.objects.for_account(account).filter(pk=stage.pk).update(position=position)
        codes = together(
            lambda: (
                client_for(owner)
                .post(f"/settings/pipelines/stages/{qualified.pk}/move/", {"direction": "up"})
                .status_code
            ),
            lambda: (
                client_for(admin)
                .post(f"/settings/pipelines/stages/{negotiation.pk}/move/", {"direction": "up"})
                .status_code
            ),
        )
        assert codes == [302, 302], codes
        stages = stages_of(pipeline)
        assert [s.position for s in stages] == [0, 1, 2, 3]
        assert [s.pk for s in stages] == [qualified.pk, lead.pk, negotiation.pk, proposal.pk]
