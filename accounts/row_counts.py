"""Exact per-account row counts without COUNT(*) over a million rows.

A list's `count` is `SELECT COUNT(*) ... WHERE account_id = x`, which reads every index
entry of the account: 10 ms at 100,000 contacts, 100 ms at a million, and it runs on
every page. Lists that filter by nothing else read the count from `accounts_rowcount`
instead, kept by database triggers on each counted table (models with
`row_counted = True`). Triggers rather than signals so that every write path counts:
the ORM, bulk_create, cascades, raw SQL and the benchmark's COPY-style loads.

- PostgreSQL: statement-level triggers with transition tables, one upsert per
  statement and account, so a 1,000-row bulk insert costs one counter update.
- SQLite: row-level triggers (it has no statement-level ones).
- Inserts upsert the counter; deletes only decrement an existing row, so deleting an
  account (whose counters may be cascaded first) never re-creates its counters.
- Concurrent writers of one account queue on its counter row until they commit; one
  counter per table and account keeps that wait to a single short lock.
- Citus: the counter table is distributed by account_id like the rest, and triggers
  on distributed tables need `citus.enable_unsafe_triggers` (they only touch co-located
  rows of the same account).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, migrations, router, transaction
from django.db.migrations.recorder import MigrationRecorder

# The table of accounts.models.RowCount, named here rather than read from the model:
# tenancy's count() calls this module, and models import tenancy, so reaching back for
# the model would close an import cycle (tests/test_row_counts.py checks they agree).
COUNTER = "accounts_rowcount"

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION relay_rowcount_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {COUNTER} (account_id, table_name, n)
    SELECT account_id, TG_TABLE_NAME, count(*) FROM new_rows
    GROUP BY account_id ORDER BY account_id
    ON CONFLICT (account_id, table_name) DO UPDATE SET n = {COUNTER}.n + EXCLUDED.n;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION relay_rowcount_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {COUNTER} c SET n = c.n - d.k
    FROM (SELECT account_id, count(*) AS k FROM old_rows GROUP BY account_id
          ORDER BY account_id) d
    WHERE c.account_id = d.account_id AND c.table_name = TG_TABLE_NAME;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION relay_rowcount_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {COUNTER} SET n = n - 1
    WHERE account_id = OLD.account_id AND table_name = TG_TABLE_NAME;
    INSERT INTO {COUNTER} (account_id, table_name, n)
    VALUES (NEW.account_id, TG_TABLE_NAME, 1)
    ON CONFLICT (account_id, table_name) DO UPDATE SET n = {COUNTER}.n + 1;
    RETURN NULL;
END $$;
"""


def _pg_triggers(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_count_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION relay_rowcount_insert();
CREATE TRIGGER {table}_count_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION relay_rowcount_delete();
CREATE TRIGGER {table}_count_move AFTER UPDATE OF account_id ON {table}
    FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION relay_rowcount_move();
"""


def _sqlite_triggers(table: str) -> list[str]:
    up = (
        f"INSERT INTO {COUNTER} (account_id, table_name, n) "
        f"VALUES (NEW.account_id, '{table}', 1) "
        f"ON CONFLICT (account_id, table_name) DO UPDATE SET n = n + 1;"
    )
    down = (
        f"UPDATE {COUNTER} SET n = n - 1 "
        f"WHERE account_id = OLD.account_id AND table_name = '{table}';"
    )
    return [
        f"CREATE TRIGGER {table}_count_ins AFTER INSERT ON {table} BEGIN {up} END",
        f"CREATE TRIGGER {table}_count_del AFTER DELETE ON {table} BEGIN {down} END",
        f"CREATE TRIGGER {table}_count_move AFTER UPDATE OF account_id ON {table} "
        f"WHEN OLD.account_id IS NOT NEW.account_id BEGIN {down} {up} END",
    ]


def _recount(cursor, table: str) -> None:
    cursor.execute(f"DELETE FROM {COUNTER} WHERE table_name = %s", [table])
    cursor.execute(
        f"INSERT INTO {COUNTER} (account_id, table_name, n) "
        f"SELECT account_id, %s, COUNT(*) FROM {table} GROUP BY account_id",
        [table],
    )


def install(connection, table: str) -> None:
    """Create the triggers, then count what the table already holds.

    In one transaction (the migration's): CREATE TRIGGER locks out writers until
    commit, so no row is counted twice or missed between the triggers and the recount."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            cursor.execute(_pg_triggers(table))
        else:
            for statement in _sqlite_triggers(table):
                cursor.execute(statement)
        _recount(cursor, table)


def uninstall_triggers(connection, table: str) -> None:
    with connection.cursor() as cursor:
        for suffix in ("ins", "del", "move"):
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {table}_count_{suffix}"
                + (f" ON {table}" if connection.vendor == "postgresql" else "")
            )


def uninstall(schema_editor, table: str) -> None:
    uninstall_triggers(schema_editor.connection, table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {COUNTER} WHERE table_name = %s", [table])


def operation(table: str):
    """The migration operation that counts `table`'s rows per account."""
    return migrations.RunPython(
        lambda apps, schema_editor: install(schema_editor.connection, table),
        lambda apps, schema_editor: uninstall(schema_editor, table),
        elidable=False,
    )


def has_triggers(connection, table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
                [table, f"{table}_count_%"],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = %s AND name LIKE %s",
                [table, f"{table}_count_%"],
            )
        return cursor.fetchone()[0] == 3


def counted_models():
    return [m for m in apps.get_models() if getattr(m, "row_counted", False)]


def ensure_installed(using: str = "default", **kwargs) -> None:
    """post_migrate: put back triggers a migration dropped, and recount those tables.

    SQLite alters a column by copying the table into a new one, which drops the
    table's triggers; PostgreSQL keeps them, so there this finds nothing to do."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if COUNTER not in tables:
        return
    counted_apps = {
        app
        for app, name in MigrationRecorder(connection).applied_migrations()
        if name.endswith("_row_count_triggers")
    }
    for model in counted_models():
        table = model._meta.db_table
        if (
            model._meta.app_label in counted_apps
            and table in tables
            and not has_triggers(connection, table)
        ):
            with transaction.atomic(using=using):
                uninstall_triggers(connection, table)
                install(connection, table)


def recount(table: str, using: str = "default") -> None:
    """Rebuild one table's counters from COUNT(*) (after a load that bypassed triggers)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {table} IN SHARE MODE"
            if connections[using].vendor == "postgresql"
            else "SELECT 1"
        )
        _recount(cursor, table)


def counted(model, account_id: int) -> int:
    """The exact number of `model` rows in the account, from the counter table.

    One query, written as SQL: it runs on every list page, and compiling the same
    one-row lookup through the ORM cost more (about 0.5 ms) than running it."""
    using = router.db_for_read(model)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT n FROM {COUNTER} WHERE account_id = %s AND table_name = %s",
            [int(account_id), model._meta.db_table],
        )
        found = cursor.fetchone()
    return found[0] if found else 0
