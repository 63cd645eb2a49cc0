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

CHECKED = ("select", "insert", "update", "delete", "with")
TASK_COUNT = re.compile(r"Task Count: (\d+)")
# {statement: its largest task count}, shared by every test of the run.
_DECIDED: dict[str, int] = {}


def fan_out(plan_lines: list[str]) -> int:
    """The largest task count of a plan's Citus scans (0 for a plan without any)."""
    return max((int(n) for line in plan_lines for n in TASK_COUNT.findall(line)), default=0)


QUOTED_NAME = re.compile(r'"(\w+)"')


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
        # Statements on reference and local tables alone are not fan-outs, and are not
        # EXPLAINed: after a write to a reference table (executed on the coordinator's
        # own copy) Citus refuses to plan one in the same transaction, and fails it.
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
        raw = self.connection.connection
        in_transaction = self.connection.in_atomic_block
        with raw.cursor() as cursor:
            # A statement that cannot even be planned fails on its own right after;
            # the savepoint keeps the EXPLAIN from aborting the test's transaction.
            if in_transaction:
                cursor.execute("SAVEPOINT relay_routing_check")
            try:
                cursor.execute("EXPLAIN " + sql, params)
                tasks = fan_out([row[0] for row in cursor.fetchall()])
            except Exception:
                if in_transaction:
                    cursor.execute("ROLLBACK TO SAVEPOINT relay_routing_check")
                return
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT relay_routing_check")
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
