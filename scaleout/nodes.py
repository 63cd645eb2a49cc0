"""Which databases are Citus, and how a new database joins the cluster.

Citus 12.1 does not propagate CREATE DATABASE (that came with 12.2), and its node
metadata lives in each database: a new database (the test suite's `test_relay`) must
be created on every worker, get the extension on every node, and register the nodes
again. The workers are read from the database the settings name (the cluster's own).
"""

from __future__ import annotations

import psycopg
from psycopg import sql


def has_extension(connection) -> bool:
    """Whether this database runs Citus (the extension is created in it)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
        return cursor.fetchone() is not None


def server_preloads_citus(connection) -> bool:
    """Whether the server is a Citus node (even if this database has no extension yet)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('shared_preload_libraries')")
        return "citus" in cursor.fetchone()[0]


def _conninfo(settings_dict: dict, host: str, port: int, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(
        host=host,
        port=port,
        dbname=dbname,
        user=settings_dict.get("USER") or "postgres",
        password=settings_dict.get("PASSWORD") or None,
    )


def _registered_nodes(settings_dict: dict, source_db: str) -> tuple[tuple, list[tuple]]:
    """(coordinator (host, port), [worker (host, port)...]) as `source_db` knows them."""
    info = _conninfo(settings_dict, settings_dict["HOST"], settings_dict["PORT"], source_db)
    with psycopg.connect(info, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT nodename, nodeport, groupid = 0 FROM pg_dist_node "
            "WHERE noderole = 'primary' ORDER BY groupid"
        ).fetchall()
    coordinator = next(((h, p) for h, p, is_coord in rows if is_coord), None)
    workers = [(h, p) for h, p, is_coord in rows if not is_coord]
    if coordinator is None or not workers:
        raise RuntimeError(f"Citus: database {source_db} has no registered workers")
    return coordinator, workers


def join_cluster(connection, source_db: str) -> None:
    """Make the database `connection` is on a Citus database with the same nodes as
    `source_db`: the database re-created on every worker, the extension everywhere,
    the nodes registered. For a fresh, empty-of-data database (the test database)."""
    settings_dict = connection.settings_dict
    dbname = settings_dict["NAME"]
    coordinator, workers = _registered_nodes(settings_dict, source_db)
    for host, port in workers:
        with psycopg.connect(
            _conninfo(settings_dict, host, port, "postgres"), autocommit=True
        ) as conn:
            name = sql.Identifier(dbname)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
        with psycopg.connect(_conninfo(settings_dict, host, port, dbname), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS citus")
        cursor.execute("SELECT citus_set_coordinator_host(%s, %s)", list(coordinator))
        for host, port in workers:
            cursor.execute("SELECT citus_add_node(%s, %s)", [host, port])


def drop_from_workers(settings_dict: dict, source_db: str, dbname: str) -> None:
    """Drop `dbname` from every worker (the coordinator's copy is dropped by its owner)."""
    _coordinator, workers = _registered_nodes(settings_dict, source_db)
    for host, port in workers:
        with psycopg.connect(
            _conninfo(settings_dict, host, port, "postgres"), autocommit=True
        ) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


def source_database(test_name: str) -> str:
    """The cluster's own database behind pytest-django's `test_<name>`."""
    return test_name.removeprefix("test_")


def drop_leftover_test_database(settings_dict: dict, test_name: str) -> None:
    """Drop `test_name` from every node of a Citus cluster before a test run.

    Citus's maintenance daemon stays connected to every database with the extension,
    so a test database left by an interrupted run cannot be dropped the plain way
    pytest-django tries; WITH (FORCE) ends those sessions first."""
    source = source_database(test_name)
    coordinator = _conninfo(settings_dict, settings_dict["HOST"], settings_dict["PORT"], source)
    try:
        with psycopg.connect(coordinator, autocommit=True) as conn:
            preload = conn.execute("SELECT current_setting('shared_preload_libraries')").fetchone()
            if "citus" not in preload[0]:
                return
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(test_name))
            )
    except psycopg.OperationalError:
        return  # no such database yet: nothing can be left over either
    drop_from_workers(settings_dict, source, test_name)


def account_shard_groups(connection, table: str, accounts_table: str) -> list[list[int]] | None:
    """Every account id, grouped by the shard of `table` that holds its rows (one
    group per shard), when `table` is distributed by account on this database; else
    None. A statement filtered by one group's `account_id IN (...)` reaches one shard."""
    if not has_extension(connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = %s::regclass "
            "AND partmethod = 'h'",
            [table],
        )
        if cursor.fetchone() is None:
            return None
        cursor.execute(
            f"SELECT array_agg(id ORDER BY id) FROM {connection.ops.quote_name(accounts_table)} "
            "GROUP BY get_shard_id_for_distribution_column(%s, id) ORDER BY 1",
            [table],
        )
        return [list(ids) for (ids,) in cursor.fetchall()]
