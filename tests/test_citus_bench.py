"""The lost-writes check of `make citus-bench` (bench/acknowledged.py): every create the
server acknowledged must be in the database afterwards, as it was acknowledged. Runs
on any database; on a Citus cluster (make citus) the check must also reach one shard."""

import time

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from bench.acknowledged import BoundedLoad, lost_writes
from contacts.models import Contact
from scaleout import nodes
from tests.citus_routing import fan_out

pytestmark = pytest.mark.django_db


def create(actor, n):
    """(id, email) of a contact created through the API: an acknowledged write."""
    email = f"load{n}@example.com"
    response = actor.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Load", "email": email}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"], email


def lost(account, acknowledged, cursor=None):
    if cursor is not None:
        return lost_writes(cursor, account_id=account.pk, acknowledged=acknowledged)
    with connection.cursor() as cursor:
        return lost_writes(cursor, account_id=account.pk, acknowledged=acknowledged)


def test_acknowledged_creates_in_the_database_are_not_lost(owner):
    acknowledged = dict(create(owner, n) for n in range(3))
    assert lost(owner.account, acknowledged) == []


def test_an_acknowledged_create_missing_from_the_database_is_lost(owner):
    acknowledged = dict(create(owner, n) for n in range(2))
    ghost = max(acknowledged) + 1000
    acknowledged[ghost] = "ghost@example.com"
    assert lost(owner.account, acknowledged) == [ghost]


def test_a_row_holding_another_email_than_acknowledged_is_lost(owner):
    acknowledged = dict(create(owner, n) for n in range(2))
    changed = min(acknowledged)
    Contact.objects.for_account(owner.account).filter(pk=changed).update(email="x@example.com")
    assert lost(owner.account, acknowledged) == [changed]


def test_another_accounts_row_does_not_count_as_found(owner, outsider):
    theirs, email = create(outsider, 1)
    assert lost(owner.account, {theirs: email}) == [theirs]


def test_more_ids_than_one_query_holds_are_all_checked(owner):
    acknowledged = dict(create(owner, n) for n in range(2))
    start = max(acknowledged) + 1
    ghosts = {pk: f"ghost{pk}@example.com" for pk in range(start, start + 1100)}
    assert lost(owner.account, acknowledged | ghosts) == sorted(ghosts)


class ExplainingCursor:
    """A cursor that EXPLAINs each statement before running it: the Citus task counts."""

    def __init__(self, cursor):
        self.cursor, self.tasks = cursor, []

    def execute(self, sql, params):
        self.cursor.execute("EXPLAIN " + sql, params)
        self.tasks.append(fan_out([row[0] for row in self.cursor.fetchall()]))
        self.cursor.execute(sql, params)

    def fetchall(self):
        return self.cursor.fetchall()


def test_the_check_reaches_one_shard_on_citus(owner):
    if not nodes.has_extension(connection):
        pytest.skip("needs a Citus cluster (make citus)")
    acknowledged = dict(create(owner, n) for n in range(3))
    with connection.cursor() as cursor:
        explaining = ExplainingCursor(cursor)
        assert lost(owner.account, acknowledged, explaining) == []
    assert explaining.tasks == [1]


@pytest.mark.django_db(transaction=True)
def test_a_bounded_load_reports_its_acknowledged_creates(live_server, owner):
    token = Token.objects.get(user=owner.user).key
    load = BoundedLoad(live_server.url, token, tag="t", readers=1, writers=1, pause=0.01)
    load.start()
    deadline = time.monotonic() + 30
    while len(load.report.acknowledged) < 3 and not load.report.errors:
        assert time.monotonic() < deadline, "no acknowledged creates in 30 s"
        time.sleep(0.05)
    report = load.stop()
    assert report.errors == 0, report.error_samples
    assert report.reads > 0
    assert len(report.acknowledged) >= 3
    assert lost(owner.account, report.acknowledged) == []
