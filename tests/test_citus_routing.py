"""The routing check itself (tests/citus_routing.py): it flags a statement that fans
out, and lets one account's statements and reference-table reads pass."""

import pytest
from django.db import connection

from accounts.models import Account, Membership
from contacts.models import Contact
from scaleout import nodes
from tests.citus_routing import RoutingRecorder, fan_out
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    if not nodes.has_extension(connection):
        pytest.skip("needs a Citus cluster (make citus)")
    recorder = RoutingRecorder(connection)
    with connection.execute_wrapper(recorder):
        yield recorder


def test_fan_out_reads_the_largest_task_count():
    plan = ["Custom Scan (Citus Adaptive)", "  Task Count: 4", "  Task Count: 1"]
    assert fan_out(plan) == 4
    assert fan_out(["Seq Scan on django_session"]) == 0


def test_a_query_without_its_account_fans_out(recorder):
    list(Contact.objects.dangerously_unscoped().filter(email="ada@example.com"))
    [(tasks, sql)] = recorder.fan_outs
    assert tasks > 1
    assert "contacts_contact" in sql


def test_one_accounts_queries_reach_one_shard(recorder, account):
    contact = ContactFactory(account=account)
    list(Contact.objects.for_account(account).select_related("company").filter(pk=contact.pk))
    contact.first_name = "Ada"
    contact.save()
    Contact.objects.for_account(account).filter(pk=contact.pk).delete()
    assert recorder.fan_outs == []


def test_reference_table_reads_are_not_fan_outs(recorder, owner):
    list(Membership.objects.filter(user=owner.user).select_related("account"))
    list(Account.objects.all())
    assert recorder.fan_outs == []


def test_deleting_a_user_nulls_its_rows_in_every_account_one_shard_at_a_time(recorder):
    # A user spans accounts (scaleout/tenant_deletes.py): its rows are nulled per shard.
    user = UserFactory()
    contacts = [ContactFactory(account=AccountFactory(), owner=user) for _ in range(8)]
    groups = nodes.account_shard_groups(connection, "contacts_contact", "accounts_account")
    assert len(groups) > 1  # the accounts lie on several shards

    user.delete()

    assert recorder.fan_outs == []
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.owner_id is None
