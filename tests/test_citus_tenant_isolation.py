"""The big account isolated on shards of its own while it is written to
(scaleout/tenant_isolation.py). Needs the cluster (`make citus`) with two workers."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import RowCount
from contacts.models import Contact
from scaleout import nodes
from scaleout.tenant_isolation import isolate_account
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_citus():
    if not nodes.has_extension(connection):
        pytest.skip("needs a Citus cluster (make citus)")


def placement(table, account_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.shardid, s.shardminvalue::int, s.shardmaxvalue::int, p.groupid "
            "FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) "
            "WHERE s.shardid = get_shard_id_for_distribution_column(%s, %s::bigint)",
            [table, account_id],
        )
        return cursor.fetchone()


def test_an_account_is_isolated_online_while_its_contacts_and_counter_are_written(on_citus):
    """Every create updates the account's row counter (an UPDATE on the counter's shard):
    the split Citus does by itself stalls on such writes; this one finishes, and no
    acknowledged write is lost."""
    account = AccountFactory()
    ContactFactory.create_batch(30, account=account)
    _, _, _, group_before = placement("contacts_contact", account.id)
    stop = threading.Event()
    created, errors = [], []

    def write():
        try:
            while not stop.is_set():
                try:
                    created.append(ContactFactory(account=account).pk)
                except Exception as exc:  # reported below: the test fails on any
                    errors.append(repr(exc))
                stop.wait(0.02)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        stop.wait(0.5)
        with connection.cursor() as cursor:
            # A stalled split would wait for ever: fail instead.
            cursor.execute("SET statement_timeout = '180s'")
            shard = isolate_account(cursor, account.id)
            cursor.execute("RESET statement_timeout")
        stop.wait(0.5)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert len(created) > 5
    shard_after, low, high, group_after = placement("contacts_contact", account.id)
    assert shard_after == shard
    with connection.cursor() as cursor:
        cursor.execute("SELECT worker_hash(%s::bigint)", [account.id])
        assert (low, high) == (cursor.fetchone()[0],) * 2
    assert group_after != group_before
    mine = Contact.objects.for_account(account)
    assert set(created) <= set(mine.values_list("pk", flat=True))
    counter = RowCount.objects.for_account(account).get(table_name="contacts_contact")
    assert counter.n == mine.count() == 30 + len(created)
    # The counter moved with the account: same hash range, same node.
    assert placement("accounts_rowcount", account.id)[1:] == (low, high, group_after)
