"""Two "Delete selected" on overlapping selections, released together (PostgreSQL, real
threads, ten rounds): neither fails or deadlocks, each record goes to the trash once,
and each Undo offers exactly what its own delete trashed, so one Undo never restores
a record the other person deleted."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from events.models import Event
from tests.factories import CompanyFactory, DealFactory, PipelineFactory
from tests.races import ROUNDS, together
from tests.web_client import client_for
from trash.models import TrashedRecord
from web.undo import undo_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def delete_selected(actor, path, ids):
    def job():
        response = client_for(actor).post(path, {"ids": ids})
        undos = [undo_of(m) for m in get_messages(response.wsgi_request)]
        return response.status_code, [u for u in undos if u]

    return job


@pytest.mark.parametrize("kind", ["company", "deal"])
def test_overlapping_bulk_deletes_each_undo_their_own(owner, teammate, kind):
    for _ in range(ROUNDS):
        if kind == "company":
            records, path = CompanyFactory.create_batch(6, account=owner.account), "/companies/"
        else:
            pipeline = PipelineFactory(account=owner.account)
            records, path = DealFactory.create_batch(6, pipeline=pipeline), "/deals/"
        ids = [r.pk for r in records]
        # Opposite orders: without locking in id order, these would deadlock.
        first, second = ids[:4], list(reversed(ids[2:]))
        results = together(
            delete_selected(owner, f"{path}delete/", first),
            delete_selected(teammate, f"{path}delete/", second),
        )
        assert [code for code, _ in results] == [302, 302], results
        offered = [set(undos[0].ids) if undos else set() for _, undos in results]
        assert offered[0].isdisjoint(offered[1]), results
        assert offered[0] | offered[1] == set(ids), results
        assert offered[0] <= set(first) and offered[1] <= set(second)
        trashed = TrashedRecord.objects.for_account(owner.account).filter(
            record_type=kind, record_id__in=ids
        )
        assert trashed.count() == 6
        deleted = Event.objects.for_account(owner.account).filter(
            type=f"{kind}.deleted", record_id__in=ids
        )
        assert deleted.count() == 6
