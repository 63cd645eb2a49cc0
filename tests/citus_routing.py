"""Single-shard routing on Citus: every statement a test runs is EXPLAINed first, and
one that Citus would send to more than one shard is recorded.

A statement filtered by one account goes to one shard ("Task Count: 1"); so does a
read of reference tables only (their copy on one node). One that fans out shows
"Task Count: N" with N > 1 in its Citus scan. Statements that plan nothing (SAVEPOINT,
SET, LOCK, DDL) are not checked. Only the test's own connection is watched: threads
and live servers have theirs.
"""

from __future__ import annotations

import os
import re

CHECKED = ("select", "insert", "update", "delete", "with")
TASK_COUNT = re.compile(r"Task Count: (\d+)")


def fan_out(plan_lines: list[str]) -> int:
    """The largest task count of a plan's Citus scans (0 for a plan without any)."""
    return max((int(n) for line in plan_lines for n in TASK_COUNT.findall(line)), default=0)


class RoutingRecorder:
    """An execute wrapper (connection.execute_wrapper) that records fan-outs."""

    def __init__(self, connection):
        self.connection = connection
        self.fan_outs: list[tuple[int, str]] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().lower().startswith(CHECKED):
            self.check(sql, (params[0] if params else None) if many else params)
        return execute(sql, params, many, context)

    def check(self, sql, params) -> None:
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
