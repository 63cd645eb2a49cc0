"""Two admins reorder one pipeline's stages at the same instant in the web app
(PostgreSQL, real threads, a barrier, repeated): the stage writes take the pipeline's
lock, so the stages end in one of the two orders sent, whole, with positions 0..n-1,
and two moves of different stages both land.

Two requests giving one name at once (two pipelines created or renamed, two stages of
one pipeline added or renamed, in any case): both pass validation, the first write
wins and the second is the 400 validation would have given it (the form's error, the
API's `{"name": [...]}`), never the database's IntegrityError, with nothing of it
written."""

import pytest
from django.db import connection

from accounts.models import Membership
from deals.models import Pipeline, Stage
from tests.conftest import make_actor
from tests.factories import PipelineFactory
from tests.races import ROUNDS, own_client, status_codes, together
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


def spellings(round_):
    """The two names sent in a round: the same, or (odd rounds) the same but for case,
    which the rules count as one name too."""
    name = f"Won {round_}"
    return (name, name) if round_ % 2 == 0 else (name, name.upper())


def posting(client, path, data):
    return lambda: client.post(path, data)


def test_two_pipelines_created_at_once_with_one_name_make_one(owner, account):
    clients = [client_for(owner), client_for(make_actor(account, Membership.Role.ADMIN))]
    for round_ in range(ROUNDS):
        names = spellings(round_)
        responses = together(
            *(
                posting(c, "/settings/pipelines/", {"name": n})
                for c, n in zip(clients, names, strict=True)
            )
        )
        codes = status_codes(responses)
        assert codes == [302, 400], responses
        (refused,) = [r for r in responses if r.status_code == 400]
        assert "A pipeline with this name already exists." in refused.content.decode()
        (made,) = Pipeline.objects.for_account(account).filter(name__iexact=names[0])
        assert [s.name for s in stages_of(made)] == ["Lead", "Qualified", "Proposal", "Negotiation"]
    # No stage of a refused pipeline was left behind.
    assert Stage.objects.for_account(account).count() == 4 * ROUNDS


def test_two_pipelines_renamed_at_once_to_one_name_in_the_api(owner, account):
    admin = make_actor(account, Membership.Role.ADMIN)
    clients = [own_client(owner), own_client(admin)]
    first, second = PipelineFactory(account=account), PipelineFactory(account=account)
    for round_ in range(ROUNDS):
        names = spellings(round_)
        responses = together(
            *(
                lambda c=c, p=p, n=n: c.patch(
                    f"/api/v1/crm/pipelines/{p.pk}/", {"name": n}, format="json"
                )
                for c, p, n in zip(clients, (first, second), names, strict=True)
            )
        )
        codes = status_codes(responses)
        assert codes == [200, 400], responses
        (refused,) = [r for r in responses if r.status_code == 400]
        assert refused.json() == {"name": ["A pipeline with this name already exists."]}
        assert Pipeline.objects.for_account(account).filter(name__iexact=names[0]).count() == 1


def test_two_stages_renamed_at_once_to_one_name_keep_the_names_unique(owner, account):
    clients = [client_for(owner), client_for(make_actor(account, Membership.Role.ADMIN))]
    for round_ in range(ROUNDS):
        pipeline = PipelineFactory(account=account)
        lead, qualified, *_ = stages_of(pipeline)
        names = spellings(round_)
        responses = together(
            *(
                posting(
                    c,
                    f"/settings/pipelines/stages/{s.pk}/",
                    {f"stage-{s.pk}-name": n, f"stage-{s.pk}-probability": "50"},
                )
                for c, s, n in zip(clients, (lead, qualified), names, strict=True)
            )
        )
        codes = status_codes(responses)
        assert codes == [302, 400], responses
        (refused,) = [r for r in responses if r.status_code == 400]
        assert "Stage names must be unique within a pipeline." in refused.content.decode()
        folded = [s.name.casefold() for s in stages_of(pipeline)]
        assert len(folded) == 4 and len(set(folded)) == 4
        assert folded.count(names[0].casefold()) == 1


def test_two_stages_added_at_once_with_one_name_add_one(owner, account):
    clients = [client_for(owner), client_for(make_actor(account, Membership.Role.ADMIN))]
    pipeline = PipelineFactory(account=account)
    path = f"/settings/pipelines/{pipeline.pk}/stages/"
    for round_ in range(ROUNDS):
        names = spellings(round_)
        responses = together(
            *(
                posting(c, path, {"new-stage-name": n, "new-stage-probability": "90"})
                for c, n in zip(clients, names, strict=True)
            )
        )
        codes = status_codes(responses)
        assert codes == [302, 400], responses
        stages = stages_of(pipeline)
        assert [s.name.casefold() for s in stages].count(names[0].casefold()) == 1
        assert [s.position for s in stages] == list(range(len(stages)))
    assert len(stages_of(pipeline)) == 4 + ROUNDS
