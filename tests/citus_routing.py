"""Single-shard routing on Citus: every statement a test runs is EXPLAINed first, and
one that Citus would send to more than one shard is recorded.

A statement filtered by one account goes to one shard ("Task Count: 1"); so does a
read of reference tables only (their copy on one node). One that fans out shows
"Task Count: N" with N > 1 in its Citus scan. Statements that plan nothing (SAVEPOINT,
SET, LOCK, DDL) and statements on reference or local tables alone are not checked.
Only the test's own connection is watched: threads and live servers have theirs.
"""

from __future__ import annotations

import os
import re

import psycopg

CHECKED = ("select", "insert", "update", "delete", "with")
TASK_COUNT = re.compile(r"Task Count: (\d+)")
# {statement: its largest task count}, shared by every test of the run.
_DECIDED: dict[str, int] = {}


def fan_out(plan_lines: list[str]) -> int:
    """The largest task count of a plan's Citus scans (0 for a plan without any)."""
    return max((int(n) for line in plan_lines for n in TASK_COUNT.findall(line)), default=0)


QUOTED_NAME = re.compile(r'"(\w+)"')
_SIDE: dict = {}


def _side_connection(connection) -> psycopg.Connection:
    """A connection of its own to the test database, for the EXPLAINs.

    A plan needs no data, so it is made apart from the test's transaction: nothing to
    roll back, and no clash with Citus's local execution of reference tables inside
    it. A lock the test holds would make it wait: it gives up after a second."""
    name = connection.settings_dict["NAME"]
    if _SIDE.get("name") != name or _SIDE["conn"].closed:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        conn = psycopg.connect(autocommit=True, **params)
        conn.execute("SET lock_timeout = '1s'")
        _SIDE.update(name=name, conn=conn)
    return _SIDE["conn"]


def close_side_connection() -> None:
    """At the end of the run: an open session would keep pytest-django from dropping
    the test database ("being accessed by other users")."""
    if conn := _SIDE.pop("conn", None):
        conn.close()
    _SIDE.clear()


class RoutingRecorder:
    """An execute wrapper (connection.execute_wrapper) that records fan-outs."""

    def __init__(self, connection):
        self.connection = connection
        self.fan_outs: list[tuple[int, str]] = []
        self._distributed: set[str] | None = None

    def distributed_tables(self) -> set[str]:
        if self._distributed is None:
            with self.connection.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT table_name::text FROM citus_tables "
                    "WHERE citus_table_type = 'distributed'"
                )
                self._distributed = {name for (name,) in cursor.fetchall()}
        return self._distributed

    def __call__(self, execute, sql, params, many, context):
        # Statements on reference and local tables alone are not fan-outs: not EXPLAINed.
        if sql.lstrip().lower().startswith(CHECKED) and (
            set(QUOTED_NAME.findall(sql)) & self.distributed_tables()
        ):
            self.check(sql, (params[0] if params else None) if many else params)
        return execute(sql, params, many, context)

    def check(self, sql, params) -> None:
        # A statement's text decides how it is routed (`account_id = $1` reaches one
        # shard whatever the value): each text is EXPLAINed once per run.
        if sql in _DECIDED:
            if _DECIDED[sql] > 1:
                self.fan_outs.append((_DECIDED[sql], sql))
            return
        try:
            tasks = fan_out(
                [
                    row[0]
                    for row in _side_connection(self.connection).execute("EXPLAIN " + sql, params)
                ]
            )
        except psycopg.Error:
            return  # cannot be planned apart (or waited on a lock): the statement runs anyway
        _DECIDED[sql] = tasks
        if tasks > 1:
            self.fan_outs.append((tasks, sql))
            # CITUS_ROUTING_LOG=file collects every fan-out of a run, one a line.
            if log := os.environ.get("CITUS_ROUTING_LOG"):
                with open(log, "a") as out:
                    out.write(f"{tasks}\t{' '.join(sql.split())}\n")

    def report(self) -> str:
        lines = [f"{len(self.fan_outs)} statement(s) fan out to several shards:"]
        lines += [f"- {tasks} shards: {sql[:600]}" for tasks, sql in self.fan_outs]
        return "\n".join(lines)
