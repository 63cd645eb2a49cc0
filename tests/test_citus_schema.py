"""The schema on Citus (scaleout/distribution.py): what `distribute_schema` makes of the
migrated tables. The plan is read from the catalog of any PostgreSQL; the rest needs
the cluster (`make citus`, then DATABASE_URL=... pytest tests/test_citus_schema.py)."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from accounts.models import RowCount
from accounts.tenancy import AccountOwned
from contacts.models import Contact
from scaleout import nodes
from scaleout.distribution import citus_tables, plan
from tests.factories import AccountFactory, CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

REFERENCE = {"accounts_account", "accounts_user", "accounts_membership", "authtoken_token"}


def account_owned_tables():
    return {m._meta.db_table for m in apps.get_models() if issubclass(m, AccountOwned)}


@pytest.fixture
def on_citus():
    if not nodes.has_extension(connection):
        pytest.skip("needs a Citus cluster (make citus)")


def rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_distribute_schema_does_nothing_without_citus(capsys):
    if nodes.has_extension(connection):
        pytest.skip("on Citus it distributes")
    call_command("distribute_schema")
    assert "not a Citus database" in capsys.readouterr().out


def test_the_plan_distributes_every_account_owned_table(on_postgres):
    if not on_postgres:
        pytest.skip("reads PostgreSQL's catalog")
    with connection.cursor() as cursor:
        the_plan = plan(cursor)
    assert account_owned_tables() <= set(the_plan.distributed)
    assert {"accounts_rowcount", "events_event", "accounts_idempotencykey"} <= set(
        the_plan.distributed
    )
    assert set(the_plan.reference) >= REFERENCE
    assert "accounts_membership" not in the_plan.distributed
    assert {"django_session", "django_migrations"} <= set(the_plan.local)


def test_reference_tables_come_after_the_tables_they_reference(on_postgres):
    if not on_postgres:
        pytest.skip("reads PostgreSQL's catalog")
    with connection.cursor() as cursor:
        order = plan(cursor).reference
    assert order.index("accounts_account") < order.index("accounts_membership")
    assert order.index("accounts_user") < order.index("authtoken_token")


def test_every_crm_table_is_distributed_by_account_and_colocated(on_citus):
    found = dict(
        rows(
            "SELECT table_name::text, colocation_id FROM citus_tables "
            "WHERE citus_table_type = 'distributed' AND distribution_column = 'account_id'"
        )
    )
    assert account_owned_tables() | {"events_event", "accounts_rowcount"} <= set(found)
    assert len(set(found.values())) == 1, f"not co-located: {found}"


def test_accounts_users_and_memberships_are_reference_tables(on_citus):
    kinds = citus_tables(connection.cursor())
    assert {table: kinds.get(table) for table in REFERENCE} == dict.fromkeys(REFERENCE, "reference")


def test_distributed_tables_key_on_account_and_id_from_a_sequence(on_citus):
    for table in account_owned_tables():
        (key,) = rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            [table],
        )
        assert key == ("PRIMARY KEY (account_id, id)",), table
    identity = rows(
        "SELECT attrelid::regclass::text FROM pg_attribute a JOIN citus_tables t "
        "ON t.table_name = a.attrelid::regclass WHERE a.attidentity <> ''"
    )
    assert identity == []


def test_every_distributed_table_has_a_replica_identity_for_logical_replication(on_citus):
    """Online shard moves and splits copy by logical replication, which applies an
    UPDATE or DELETE only on a table with a replica identity: its primary key, a
    chosen unique index, or FULL. A table without one could not move under writes."""
    without = rows(
        """
        SELECT c.relname FROM pg_class c
        JOIN citus_tables t ON t.table_name = c.oid
        WHERE t.citus_table_type = 'distributed' AND (
            c.relreplident = 'n'
            OR (c.relreplident = 'd' AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
            OR (c.relreplident = 'i' AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
        """
    )
    assert without == []


def test_foreign_keys_between_distributed_tables_are_composite(on_citus):
    definitions = dict(
        rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'contacts_contact'::regclass AND contype = 'f'"
        )
    )
    to_company = [d for d in definitions.values() if "companies_company" in d]
    assert to_company == [
        "FOREIGN KEY (account_id, company_id) REFERENCES companies_company(account_id, id) "
        "DEFERRABLE INITIALLY DEFERRED"
    ]
    assert any("REFERENCES accounts_account(id)" in d for d in definitions.values())


@pytest.mark.django_db(transaction=True)
def test_a_record_cannot_point_at_another_accounts_record(on_citus):
    """The composite foreign key checks at commit, on the worker (Citus reports the
    refused commit as an InternalError)."""
    from django.db import DatabaseError, transaction

    theirs = CompanyFactory(account=AccountFactory())
    contact = ContactFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        Contact.objects.for_account(contact.account).filter(pk=contact.pk).update(
            company_id=theirs.pk
        )


def test_row_counts_are_kept_on_the_shards(on_citus):
    account = AccountFactory()
    ContactFactory.create_batch(3, account=account)
    Contact.objects.for_account(account).filter(
        pk=Contact.objects.for_account(account).first().pk
    ).delete()
    counter = RowCount.objects.for_account(account).get(table_name="contacts_contact")
    assert counter.n == 2


def test_distribute_schema_again_changes_nothing(on_citus):
    before = citus_tables(connection.cursor())
    call_command("distribute_schema", verbosity=0)
    assert citus_tables(connection.cursor()) == before


def test_distribute_schema_puts_lost_counting_triggers_back_and_recounts(on_citus):
    from accounts import row_counts

    account = AccountFactory()
    ContactFactory.create_batch(2, account=account)
    row_counts.uninstall_triggers(connection, "contacts_contact")
    ContactFactory(account=account)  # not counted: no trigger
    call_command("distribute_schema", verbosity=0)
    assert row_counts.has_triggers(connection, "contacts_contact")
    assert Contact.objects.for_account(account).count() == 3
    ContactFactory(account=account)
    assert Contact.objects.for_account(account).count() == 4


def test_distribute_schema_puts_lost_value_triggers_back_and_rebuilds(on_citus):
    from accounts import custom_values

    account = AccountFactory()
    ContactFactory(account=account, custom_fields={"source": "web"})
    with connection.cursor() as cursor:
        for name in custom_values.names("contacts_contact"):
            cursor.execute(f'DROP TRIGGER "{name}" ON contacts_contact')
    ContactFactory(account=account, custom_fields={"source": "web"})  # not indexed
    web = Contact.objects.for_account(account).filter(custom_fields__contains={"source": "web"})
    assert web.count() == 1
    call_command("distribute_schema", verbosity=0)
    assert custom_values.has_triggers(connection, "contacts_contact")
    assert web.count() == 2
    contact = ContactFactory(account=account, custom_fields={"source": "web"})
    contact.custom_fields = {"source": "ad"}
    contact.save()
    assert web.count() == 2
