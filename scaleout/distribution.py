"""Turn a migrated Relay schema into a Citus one: what is distributed, what is a
reference table, and the key changes Citus needs.

- **Distributed by `account_id`, co-located:** every table with an `account_id`
  column (every `AccountOwned` model, the row counters, events, idempotency keys,
  imports, and whatever later migrations add), except the memberships below. All of
  one account's rows sit on one shard, so a query filtered by account runs on one node.
- **Reference tables** (a full copy on every node, joinable from any shard): accounts,
  users and memberships (read by user across accounts, on every request), and every
  other table linked by a foreign key to one of those (tokens, permissions, content
  types, the admin log).
- **Local** (coordinator only): tables with no foreign keys and no `account_id`
  (sessions, migrations, throttle counters, task results, schedules).

Citus requires unique constraints of a distributed table to contain the distribution
column and refuses identity columns, so on distributed tables the primary key becomes
`(account_id, id)`, foreign keys between them become `(account_id, x_id) ->
(account_id, id)`, and ids come from ordinary sequences. The Django models keep `id` as
their primary key: every query of the app is scoped by account, so none needs the
database to know more. Every step checks the catalog first, so the command can run
again after a migration adds tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts import custom_values, row_counts
from scaleout import custom_value_triggers, row_count_triggers

DISTRIBUTION_COLUMN = "account_id"
# (the tables, whether a table has its triggers, the Citus triggers' SQL, the rebuild)
TRIGGER_KEPT = [
    (
        row_count_triggers.counted_tables,
        row_counts.has_triggers,
        row_count_triggers.install_sql,
        row_counts.recount,
    ),
    (
        custom_value_triggers.indexed_tables,
        custom_values.has_triggers,
        custom_value_triggers.install_sql,
        custom_values.rebuild,
    ),
]
# Read by user across accounts on every request: a reference table, not a shard's.
SHARED_WITH_ACCOUNTS = {"accounts_membership"}
ACCOUNT_TABLE = "accounts_account"


@dataclass
class ForeignKey:
    name: str
    table: str
    column: str
    target: str
    target_column: str


@dataclass
class Plan:
    distributed: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)


def _tables(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND NOT c.relispartition
        ORDER BY c.relname
        """
    )
    return [name for (name,) in cursor.fetchall()]


def _columns(cursor, table: str) -> set[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
        "AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    return {name for (name,) in cursor.fetchall()}


def _foreign_keys(cursor) -> list[ForeignKey]:
    """Single-column foreign keys between public tables (the ones Django creates)."""
    cursor.execute(
        """
        SELECT c.conname, t.relname, a.attname, rt.relname, ra.attname
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class rt ON rt.oid = c.confrelid
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND array_length(c.conkey, 1) = 1
        ORDER BY c.conname
        """
    )
    return [ForeignKey(*row) for row in cursor.fetchall()]


def _constrained_columns(cursor) -> set[tuple[str, str, str]]:
    """(table, column, target table) of every foreign key in the database, composite
    ones included (a composite key covers each of its columns)."""
    cursor.execute(
        """
        SELECT t.relname, a.attname, rt.relname
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class rt ON rt.oid = c.confrelid
        CROSS JOIN LATERAL unnest(c.conkey) AS k(attnum)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
        """
    )
    return set(cursor.fetchall())


def missing_foreign_keys(cursor) -> list[ForeignKey]:
    """The foreign keys the models declare that the database lacks: on Citus,
    `migrate` creates none (scaleout/citus_migrations.py), so a table or a foreign key
    a later migration adds has its key made here, in the shape Citus needs."""
    from django.apps import apps

    tables = set(_tables(cursor))
    present = _constrained_columns(cursor)
    missing = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or opts.db_table not in tables:
            continue
        for model_field in opts.local_fields:
            if not (model_field.remote_field and model_field.db_constraint):
                continue
            column = model_field.column
            target = model_field.remote_field.model._meta.db_table
            target_column = model_field.target_field.column
            if target not in tables or (opts.db_table, column, target) in present:
                continue
            name = _fk_name(opts.db_table, column, target, target_column)
            missing.append(ForeignKey(name, opts.db_table, column, target, target_column))
    return missing


def _fk_name(table: str, column: str, target: str, target_column: str) -> str:
    """The name Django gives the key (`<table>_<column>_<hash>_fk_<target>_<column>`)."""
    from django.db import connection

    # Not entered: only its naming rule is used, no statement runs.
    editor = connection.schema_editor()
    return editor._create_index_name(table, [column], suffix=f"_fk_{target}_{target_column}")


def plan(cursor) -> Plan:
    """Classify every table of the public schema (see the module's docstring)."""
    tables = _tables(cursor)
    distributed = [
        t
        for t in tables
        if t not in SHARED_WITH_ACCOUNTS and DISTRIBUTION_COLUMN in _columns(cursor, t)
    ]
    reference = {ACCOUNT_TABLE, *SHARED_WITH_ACCOUNTS}
    # The keys still to be made count as much as the ones there: a table a migration
    # added next to the users is a reference table before its key exists.
    fks = _foreign_keys(cursor) + missing_foreign_keys(cursor)
    # Whatever a reference table points at, or points at a reference table, must be
    # a reference table too (Citus allows no foreign key between them and local ones).
    changed = True
    while changed:
        changed = False
        for fk in fks:
            if fk.table in distributed:
                if fk.target not in distributed and fk.target not in reference:
                    reference.add(fk.target)
                    changed = True
                continue
            if (fk.table in reference) != (fk.target in reference):
                reference.update({fk.table, fk.target})
                changed = True
    local = [t for t in tables if t not in distributed and t not in reference]
    return Plan(
        distributed=distributed,
        reference=_referenced_first([t for t in tables if t in reference], fks),
        local=local,
    )


def _referenced_first(tables: list[str], fks: list[ForeignKey]) -> list[str]:
    """`tables` ordered so that a table comes after every table it references."""
    ordered: list[str] = []
    pending = list(tables)
    while pending:
        for table in pending:
            needs = {fk.target for fk in fks if fk.table == table and fk.target != table}
            if needs <= set(ordered) | (needs - set(tables)):
                ordered.append(table)
                pending.remove(table)
                break
        else:  # a cycle: Citus accepts reference tables in any order within one
            ordered.extend(pending)
            break
    return ordered


def citus_tables(cursor) -> dict[str, str]:
    """{table: 'distributed' | 'reference' | 'local'} as Citus knows them."""
    cursor.execute("SELECT table_name::text, citus_table_type FROM citus_tables")
    return dict(cursor.fetchall())


def _primary_key(cursor, table: str) -> tuple[str | None, list[str]]:
    cursor.execute(
        """
        SELECT c.conname, array_agg(a.attname ORDER BY k.ord)
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        WHERE c.conrelid = %s::regclass AND c.contype = 'p'
        GROUP BY c.conname
        """,
        [table],
    )
    row = cursor.fetchone()
    return (row[0], list(row[1])) if row else (None, [])


def _identity_to_sequence(cursor, table: str) -> None:
    """Citus refuses identity columns: `id` takes its values from a sequence instead,
    continuing where the identity stopped."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attidentity <> ''",
        [table],
    )
    for column, column_type in cursor.fetchall():
        sequence = f"{table}_{column}_seq"
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP IDENTITY')
        cursor.execute(
            f'CREATE SEQUENCE "{sequence}" AS {column_type} OWNED BY "{table}"."{column}"'
        )
        cursor.execute(
            f'SELECT setval(\'"{sequence}"\', coalesce(max("{column}"), 0) + 1, false) '
            f'FROM "{table}"'
        )
        cursor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT nextval(\'"{sequence}"\')'
        )


def _add_foreign_key(cursor, log, fk: ForeignKey, the_plan: Plan) -> None:
    """Composite between distributed tables (`(account_id, x_id) -> (account_id, id)`),
    as declared otherwise."""
    if fk.target in the_plan.distributed and fk.target_column == "id":
        columns = f'"{DISTRIBUTION_COLUMN}", "{fk.column}"'
        target_columns = f'"{DISTRIBUTION_COLUMN}", "id"'
    else:
        columns, target_columns = f'"{fk.column}"', f'"{fk.target_column}"'
    _run(
        cursor,
        log,
        f'ALTER TABLE "{fk.table}" ADD CONSTRAINT "{fk.name}" '
        f'FOREIGN KEY ({columns}) REFERENCES "{fk.target}" ({target_columns}) '
        "DEFERRABLE INITIALLY DEFERRED",
    )


def _run(cursor, log, statement: str, params=None) -> None:
    log(statement if params is None else f"{statement} {params}")
    cursor.execute(statement, params)


def distribute(connection, log=lambda line: None) -> Plan:
    """Apply the plan to the database `connection` is on (a Citus one). Idempotent.

    Runs statement by statement, outside a transaction: Citus refuses to distribute
    a table in a transaction that already changed others over several connections."""
    with connection.cursor() as cursor:
        the_plan = plan(cursor)
        known = citus_tables(cursor)
        # A table linked to a reference table is turned into a "Citus local" one on
        # the fly; a run stopped half-way can leave some: start those again.
        for table, kind in known.items():
            if kind == "local":
                _run(
                    cursor,
                    log,
                    "SELECT undistribute_table(%s, cascade_via_foreign_keys => true)",
                    [table],
                )
        known = citus_tables(cursor)
        new_distributed = [t for t in the_plan.distributed if known.get(t) != "distributed"]
        new_reference = [t for t in the_plan.reference if known.get(t) != "reference"]
        # Every foreign key of a table about to change is dropped first (else Citus
        # drags its neighbours along as local tables) and comes back once every table
        # has its place: composite between distributed tables.
        fks = [fk for fk in _foreign_keys(cursor) if {fk.table, fk.target} & set(new_distributed)]
        for fk in fks:
            _run(cursor, log, f'ALTER TABLE "{fk.table}" DROP CONSTRAINT "{fk.name}"')
        for table in new_distributed:
            for trigger in [*row_count_triggers.names(table), *custom_values.names(table)]:
                _run(cursor, log, f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
            _identity_to_sequence(cursor, table)
            name, columns = _primary_key(cursor, table)
            if columns == ["id"]:
                _run(cursor, log, f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                _run(
                    cursor,
                    log,
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" '
                    f'PRIMARY KEY ("{DISTRIBUTION_COLUMN}", "id")',
                )
        for table in new_reference:
            _identity_to_sequence(cursor, table)
        for table in new_reference:
            if citus_tables(cursor).get(table) != "reference":
                _run(cursor, log, "SELECT create_reference_table(%s)", [table])
        anchor = next((t for t in the_plan.distributed if known.get(t) == "distributed"), None)
        for table in new_distributed:
            colocation = [] if anchor is None else [anchor]
            _run(
                cursor,
                log,
                "SELECT create_distributed_table(%s, %s"
                + (", colocate_with => %s)" if colocation else ")"),
                [table, DISTRIBUTION_COLUMN, *colocation],
            )
            anchor = anchor or table
        for fk in fks:
            _add_foreign_key(cursor, log, fk, the_plan)
        # Then whatever key the models declare and the database lacks (on Citus,
        # `migrate` makes none: scaleout/citus_migrations.py).
        for fk in missing_foreign_keys(cursor):
            _add_foreign_key(cursor, log, fk, the_plan)
        # Triggers that keep derived rows (row counters, the custom value index) in the
        # co-located shard: put in on new tables, put back where missing, and then what
        # was written meanwhile is derived again.
        for tables, has_triggers, install_sql, rederive in TRIGGER_KEPT:
            for table in sorted(set(the_plan.distributed) & tables()):
                if table in new_distributed or not has_triggers(connection, table):
                    for statement in install_sql(table):
                        _run(cursor, log, statement)
                    if table not in new_distributed:
                        rederive(table)
    return the_plan
