"""`migrate` then `distribute_schema` on a database that is distributed already: what a
later migration adds (a table, a foreign key, a column with a check) ends up as
`make citus` would have made it on an empty cluster (scaleout/citus_migrations.py,
scaleout/distribution.py). Needs the cluster (`make citus`)."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

from accounts.models import Account
from contacts.models import Contact
from scaleout import nodes
from scaleout.distribution import citus_tables
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = "scaleout_test_later_reminder"


@pytest.fixture
def on_citus():
    if not nodes.has_extension(connection):
        pytest.skip("needs a Citus cluster (make citus)")


@pytest.fixture
def later_model(on_citus):
    """A model as a later migration would add it: account-owned, an identity id, a
    foreign key to contacts; dropped and unregistered afterwards."""

    class LaterReminder(models.Model):
        account = models.ForeignKey(Account, on_delete=models.CASCADE)
        contact = models.ForeignKey(Contact, on_delete=models.CASCADE)

        class Meta:
            app_label = "scaleout"
            db_table = TABLE

        def __str__(self):
            return f"reminder {self.pk}"

    yield LaterReminder
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{TABLE}" CASCADE')
    del apps.all_models["scaleout"]["laterreminder"]
    apps.clear_cache()


def rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_a_table_a_later_migration_adds_is_distributed_beside_the_others(later_model):
    with connection.schema_editor() as editor:
        editor.create_model(later_model)  # on Citus: no foreign key yet, an identity id
    call_command("distribute_schema", verbosity=0)

    colocation = dict(
        rows(
            "SELECT table_name::text, colocation_id FROM citus_tables "
            "WHERE table_name IN (%s::regclass, 'contacts_contact'::regclass)",
            [TABLE],
        )
    )
    assert citus_tables(connection.cursor())[TABLE] == "distributed"
    assert colocation[TABLE] == colocation["contacts_contact"]
    keys = sorted(
        d
        for (d,) in rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'f')",
            [TABLE],
        )
    )
    assert keys == [
        "FOREIGN KEY (account_id) REFERENCES accounts_account(id) DEFERRABLE INITIALLY DEFERRED",
        "FOREIGN KEY (account_id, contact_id) REFERENCES contacts_contact(account_id, id) "
        "DEFERRABLE INITIALLY DEFERRED",
        "PRIMARY KEY (account_id, id)",
    ]
    ((identity, default),) = rows(
        "SELECT attidentity, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attname = 'id'",
        [TABLE],
    )
    assert (identity, default) == ("", f"nextval('{TABLE}_id_seq'::regclass)")

    contact = ContactFactory()
    reminder = later_model.objects.create(account=contact.account, contact=contact)
    assert later_model.objects.filter(account=contact.account).get().pk == reminder.pk


def test_a_column_with_a_check_is_added_to_a_distributed_table(later_model):
    with connection.schema_editor() as editor:
        editor.create_model(later_model)
    call_command("distribute_schema", verbosity=0)
    field = models.PositiveIntegerField(default=0)
    field.set_attributes_from_name("minutes")
    with connection.schema_editor() as editor:
        editor.add_field(later_model, field)  # Citus refuses an unnamed inline CHECK
    checks = [
        d
        for (d,) in rows(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c'",
            [TABLE],
        )
    ]
    assert checks == ["CHECK ((minutes >= 0))"]


def test_distributing_again_after_an_upgrade_changes_nothing(later_model):
    with connection.schema_editor() as editor:
        editor.create_model(later_model)
    call_command("distribute_schema", verbosity=0)
    before = rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass ORDER BY 1",
        [TABLE],
    )
    call_command("distribute_schema", verbosity=0)
    assert (
        rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [TABLE],
        )
        == before
    )
