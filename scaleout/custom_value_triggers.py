"""The custom value index (accounts/custom_values.py) on Citus.

As with the row counters (scaleout/row_count_triggers.py): a trigger fires on a shard,
on a worker, and must not run a distributed query, so it writes straight into the
co-located shard of `accounts_customvalue` (the same account hashes to the same shard
index in every co-located table, and co-located shards share a node). The logical
table's name comes as the trigger's argument: on a shard, TG_TABLE_NAME is the
shard's. Rows never change account on Citus, so the update trigger only follows
changes of `custom_fields`.
"""

from __future__ import annotations

from accounts import custom_values

TABLE = custom_values.TABLE

FUNCTIONS = [
    *custom_values.FUNCTIONS,  # relay_custom_value_pairs, the values kept
    f"""
CREATE OR REPLACE FUNCTION relay_citus_custom_value_shard(account bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT shard_name('{TABLE}'::regclass,
                      get_shard_id_for_distribution_column('{TABLE}', account))
$$""",
    f"""
CREATE OR REPLACE FUNCTION relay_citus_custom_value_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT account_id FROM new_rows ORDER BY account_id LOOP
        EXECUTE format(
            'INSERT INTO %s (id, account_id, table_name, record_id, key, value) '
            'SELECT nextval(''{TABLE}_id_seq''), n.account_id, $2, n.id, p.key, p.value '
            'FROM new_rows n, relay_custom_value_pairs(n.custom_fields) p '
            'WHERE n.account_id = $1 ON CONFLICT DO NOTHING',
            relay_citus_custom_value_shard(r.account_id))
        USING r.account_id, TG_ARGV[0];
    END LOOP;
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION relay_citus_custom_value_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT DISTINCT account_id FROM old_rows ORDER BY account_id LOOP
        EXECUTE format(
            'DELETE FROM %s c USING old_rows o, relay_custom_value_pairs(o.custom_fields) p '
            'WHERE o.account_id = $1 AND c.account_id = $1 AND c.table_name = $2 '
            'AND c.key = p.key AND c.value = p.value AND c.record_id = o.id',
            relay_citus_custom_value_shard(r.account_id))
        USING r.account_id, TG_ARGV[0];
    END LOOP;
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION relay_citus_custom_value_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE shard text := relay_citus_custom_value_shard(NEW.account_id);
BEGIN
    EXECUTE format(
        'DELETE FROM %s c USING relay_custom_value_pairs($3) p '
        'WHERE c.account_id = $1 AND c.table_name = $2 AND c.key = p.key '
        'AND c.value = p.value AND c.record_id = $5 AND $4 -> p.key IS DISTINCT FROM p.value',
        shard)
    USING NEW.account_id, TG_ARGV[0], OLD.custom_fields, NEW.custom_fields, NEW.id;
    EXECUTE format(
        'INSERT INTO %s (id, account_id, table_name, record_id, key, value) '
        'SELECT nextval(''{TABLE}_id_seq''), $1, $2, $5, p.key, p.value '
        'FROM relay_custom_value_pairs($4) p WHERE $3 -> p.key IS DISTINCT FROM p.value '
        'ON CONFLICT DO NOTHING',
        shard)
    USING NEW.account_id, TG_ARGV[0], OLD.custom_fields, NEW.custom_fields, NEW.id;
    RETURN NULL;
END $$""",
]


def indexed_tables() -> set[str]:
    from django.apps import apps

    return {
        model._meta.db_table
        for model in apps.get_models()
        if getattr(model, "custom_values_indexed", False)
    }


def install_sql(table: str) -> list[str]:
    """Statements that (re)create `table`'s value triggers on a distributed table."""
    ins, delete, update = custom_values.names(table)
    return [
        *FUNCTIONS,
        *(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"' for name in (ins, delete, update)),
        f'CREATE TRIGGER "{ins}" AFTER INSERT ON "{table}" '
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION relay_citus_custom_value_insert('{table}')",
        f'CREATE TRIGGER "{delete}" AFTER DELETE ON "{table}" '
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION relay_citus_custom_value_delete('{table}')",
        f'CREATE TRIGGER "{update}" AFTER UPDATE OF custom_fields ON "{table}" '
        "FOR EACH ROW WHEN (OLD.custom_fields IS DISTINCT FROM NEW.custom_fields) "
        f"EXECUTE FUNCTION relay_citus_custom_value_update('{table}')",
    ]
