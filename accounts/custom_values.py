"""Exact counts of the records holding one custom field value, from an index.

A list filtered by a custom field (`?cf_source=web`) finds its page through the GIN
index on `custom_fields` in a millisecond or two, but its `count` must visit every
match: the GIN index is lossy, so each match is re-checked in the table (10-13 µs a
match: 100,000 matches cost 160-260 ms, docs/benchmarks.md). PostgreSQL never answers
an expression index (`custom_fields -> 'source'`) with an index-only scan either.

So each record's top-level values are also kept as rows of `accounts_customvalue`
(account, table, key, value, record id), by database triggers on each indexed table
(models with `custom_values_indexed = True`), and the count of `account_id = x AND
custom_fields @> '{"key": value}'` reads one range of the `customvalue_unique`
btree: an index-only scan, about 0.25 µs a match (docs/benchmarks.md). Triggers
rather than services, for the reasons of the row counters (accounts/row_counts.py):
every write path keeps the index, bulk loads and raw SQL included.

- Which values: numbers, booleans, and strings of at most `MAX_STRING_BYTES` (as JSON
  text); a longer string is left out, so the btree entries stay small. `countable()`
  says, from the Python side, whether a value is surely kept; else the count falls
  back to COUNT(*).
- Rows are per record and value, so writers never wait on each other here (unlike a
  per-value counter, which every writer of a popular value would queue on).
- The values are compared as `jsonb`, as containment compares them (42 = 42.0).
- PostgreSQL only: SQLite counts with COUNT(*) (it has no statement-level triggers
  and no one runs a million-contact account on it). On Citus the table is distributed
  with the records and the triggers write into the co-located shard
  (scaleout/custom_value_triggers.py).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from django.db import connections, migrations, router, transaction

TABLE = "accounts_customvalue"
MAX_STRING_BYTES = 200  # JSON text of a string value, quotes included
MAX_NUMBER_BYTES = 1000  # JSON text of a number: any finite float fits
# countable() keeps a margin under the triggers' limits, in case PostgreSQL writes a
# value's JSON text a few bytes longer than Python does.
_MARGIN = 10

FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION relay_custom_value_pairs(fields jsonb)
RETURNS TABLE (key text, value jsonb) LANGUAGE sql IMMUTABLE AS $$
    SELECT e.key, e.value
    FROM jsonb_each(CASE WHEN jsonb_typeof(fields) = 'object' THEN fields END) e
    WHERE CASE jsonb_typeof(e.value)
        WHEN 'boolean' THEN true
        WHEN 'number' THEN octet_length(e.value::text) <= {MAX_NUMBER_BYTES}
        WHEN 'string' THEN octet_length(e.value::text) <= {MAX_STRING_BYTES}
        ELSE false END
$$""",
    f"""
CREATE OR REPLACE FUNCTION relay_custom_value_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (account_id, table_name, record_id, key, value)
    SELECT r.account_id, TG_TABLE_NAME, r.id, p.key, p.value
    FROM new_rows r, relay_custom_value_pairs(r.custom_fields) p
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION relay_custom_value_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TABLE} c
    USING old_rows r, relay_custom_value_pairs(r.custom_fields) p
    WHERE c.account_id = r.account_id AND c.table_name = TG_TABLE_NAME
      AND c.key = p.key AND c.value = p.value AND c.record_id = r.id;
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION relay_custom_value_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Only what changed: a save that rewrites the same values touches nothing here.
    DELETE FROM {TABLE} c
    USING relay_custom_value_pairs(OLD.custom_fields) p
    WHERE c.account_id = OLD.account_id AND c.table_name = TG_TABLE_NAME
      AND c.key = p.key AND c.value = p.value AND c.record_id = OLD.id
      AND (NEW.account_id IS DISTINCT FROM OLD.account_id
           OR NEW.custom_fields -> p.key IS DISTINCT FROM p.value);
    INSERT INTO {TABLE} (account_id, table_name, record_id, key, value)
    SELECT NEW.account_id, TG_TABLE_NAME, NEW.id, p.key, p.value
    FROM relay_custom_value_pairs(NEW.custom_fields) p
    WHERE NEW.account_id IS DISTINCT FROM OLD.account_id
       OR OLD.custom_fields -> p.key IS DISTINCT FROM p.value
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$""",
]


def names(table: str) -> list[str]:
    return [f"{table}_values_{suffix}" for suffix in ("ins", "del", "upd")]


def _triggers(table: str) -> list[str]:
    ins, delete, update = names(table)
    return [
        f'CREATE TRIGGER "{ins}" AFTER INSERT ON "{table}" '
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION relay_custom_value_insert()",
        f'CREATE TRIGGER "{delete}" AFTER DELETE ON "{table}" '
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION relay_custom_value_delete()",
        # A row trigger with WHEN: most updates (a name, a stage) leave custom_fields
        # alone and never enter the function. (An UPDATE trigger with transition tables
        # cannot name columns, so it would run for every UPDATE statement.)
        f'CREATE TRIGGER "{update}" AFTER UPDATE OF custom_fields, account_id ON "{table}" '
        "FOR EACH ROW WHEN (OLD.custom_fields IS DISTINCT FROM NEW.custom_fields "
        "OR OLD.account_id IS DISTINCT FROM NEW.account_id) "
        "EXECUTE FUNCTION relay_custom_value_update()",
    ]


def _on_distributed_table(cursor, table: str) -> bool:
    """Whether `table` is a Citus table already: its triggers are Citus's own then,
    put in by `distribute_schema` (plain ones would write to the distributed table
    from a shard, which Citus refuses)."""
    cursor.execute("SELECT to_regclass('pg_dist_partition') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = %s::regclass", [table])
    return cursor.fetchone() is not None


def rebuild_sql(table: str) -> list[str]:
    return [
        f"DELETE FROM {TABLE} WHERE table_name = '{table}'",
        f"INSERT INTO {TABLE} (account_id, table_name, record_id, key, value) "
        f"SELECT r.account_id, '{table}', r.id, p.key, p.value "
        f'FROM "{table}" r, relay_custom_value_pairs(r.custom_fields) p',
    ]


def install(connection, table: str) -> None:
    """Create the triggers, then index what the table already holds. In the
    migration's transaction: CREATE TRIGGER locks writers out until the commit, so no
    value is indexed twice or missed in between."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if _on_distributed_table(cursor, table):
            return
        for statement in [*FUNCTIONS, *_triggers(table), *rebuild_sql(table)]:
            cursor.execute(statement)


def uninstall(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in names(table):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        cursor.execute(f"DELETE FROM {TABLE} WHERE table_name = %s", [table])


def operation(table: str):
    """The migration operation that keeps `table`'s custom values indexed."""
    return migrations.RunPython(
        lambda apps, schema_editor: install(schema_editor.connection, table),
        lambda apps, schema_editor: uninstall(schema_editor, table),
        elidable=False,
    )


def has_triggers(connection, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
            [table, names(table)],
        )
        return cursor.fetchone()[0] == len(names(table))


def rebuild(table: str, using: str = "default") -> None:
    """Index `table`'s values again from the records (after a load that bypassed the
    triggers). Writers of the table wait meanwhile."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        for statement in rebuild_sql(table):
            cursor.execute(statement)


def countable(value) -> bool:
    """Whether the triggers surely keep `value` (so a count of it is exact)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return len(str(value)) <= MAX_NUMBER_BYTES - _MARGIN
    if isinstance(value, float):
        return math.isfinite(value) and (
            len(format(Decimal(repr(value)), "f")) <= MAX_NUMBER_BYTES - _MARGIN
        )
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False).encode()
        return len(text) <= MAX_STRING_BYTES - _MARGIN
    return False


def counted_value(model, account_id: int, key: str, value) -> int:
    """How many of the account's `model` rows hold `value` under `key` (one query,
    an index-only scan); only for a `countable` value on PostgreSQL."""
    using = router.db_for_read(model)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {TABLE} WHERE account_id = %s AND table_name = %s "
            "AND key = %s AND value = %s::jsonb",
            [int(account_id), model._meta.db_table, key, json.dumps(value)],
        )
        return cursor.fetchone()[0]
