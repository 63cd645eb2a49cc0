"""The per-account row counters (accounts/row_counts.py) on Citus.

On a distributed table a trigger fires on the shard, on a worker, where the statement
lands. A shard's trigger must not run a distributed query (Citus refuses nested
distributed execution), so it writes straight into the counter table's co-located
shard: the same account hashes to the same shard index in every co-located table,
and co-located shards live on the same node. The counter shard's name comes from the
metadata every node holds. Like the plain triggers: one upsert per statement and
account, and deletes never re-create a counter.

Rows never change account on Citus (it refuses updates of the distribution column), so
the third trigger, kept for `accounts.row_counts.has_triggers`, only says so.
"""

from __future__ import annotations

from accounts.row_counts import COUNTER

FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION relay_citus_counter_shard(account bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT shard_name('{COUNTER}'::regclass,
                      get_shard_id_for_distribution_column('{COUNTER}', account))
$$""",
    f"""
CREATE OR REPLACE FUNCTION relay_citus_rowcount_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT account_id, count(*) AS k FROM new_rows GROUP BY account_id
             ORDER BY account_id LOOP
        EXECUTE format(
            'INSERT INTO %1$s (id, account_id, table_name, n) '
            'VALUES (nextval(''{COUNTER}_id_seq''), $1, $2, $3) '
            'ON CONFLICT (account_id, table_name) DO UPDATE SET n = %1$s.n + EXCLUDED.n',
            relay_citus_counter_shard(r.account_id))
        USING r.account_id, TG_ARGV[0], r.k;
    END LOOP;
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION relay_citus_rowcount_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT account_id, count(*) AS k FROM old_rows GROUP BY account_id
             ORDER BY account_id LOOP
        EXECUTE format(
            'UPDATE %1$s SET n = n - $3 WHERE account_id = $1 AND table_name = $2',
            relay_citus_counter_shard(r.account_id))
        USING r.account_id, TG_ARGV[0], r.k;
    END LOOP;
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION relay_citus_rowcount_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows do not move between accounts on Citus';
END $$""",
]


def names(table: str) -> list[str]:
    return [f"{table}_count_{suffix}" for suffix in ("ins", "del", "move")]


def counted_tables() -> set[str]:
    from accounts.row_counts import counted_models

    return {model._meta.db_table for model in counted_models()}


def install_sql(table: str) -> list[str]:
    """Statements that (re)create `table`'s counting triggers on a distributed table."""
    ins, delete, move = names(table)
    return [
        *FUNCTIONS,
        f'DROP TRIGGER IF EXISTS "{ins}" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{delete}" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{move}" ON "{table}"',
        f'CREATE TRIGGER "{ins}" AFTER INSERT ON "{table}" '
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION relay_citus_rowcount_insert('{table}')",
        f'CREATE TRIGGER "{delete}" AFTER DELETE ON "{table}" '
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION relay_citus_rowcount_delete('{table}')",
        f'CREATE TRIGGER "{move}" AFTER UPDATE OF account_id ON "{table}" '
        "FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id) "
        "EXECUTE FUNCTION relay_citus_rowcount_move()",
    ]
