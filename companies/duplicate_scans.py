"""The account-wide duplicate scan: SQL that pairs records sharing a key, one
GROUP-BY-like pass (a window over the key) per key, then the pairs written into the
record type's pair table (companies/models_duplicates.py) at once.

Each step is one INSERT ... SELECT into a temporary table of its own connection (no
index, no constraint: the cheapest rows there are) and commits on its own, so the
scan's progress (steps done) is visible while it runs. The last step replaces the
account's pairs in one transaction: a pair found by several steps has its reasons'
bits OR'ed and its score computed once. Readers see the old pairs until it commits.
(Upserting each step into the indexed pair table cost minutes at a million contacts.)

Groups do not explode: in a group of N records sharing a key, each record is paired
with the group's first `FIRST_FEW` records (by id) only, so N records make at most
about FIRST_FEW × N pairs, not N². A key shared by more than `MAX_GROUP` records is
not a sign of a duplicate at all (a switchboard number, the commonest names): its
group pairs nothing, though a narrower key inside it (the same name at the same
company) still pairs. The per-record look-ups find every match regardless.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from companies.models_duplicates import DuplicateScan
from lib.duplicate_reasons import Reasons

FIRST_FEW = 3
MAX_GROUP = 50
STAGING = "relay_duplicate_scan_pairs"
# Each step sorts the account's rows by its key (a window) and the last one groups
# millions of staged pairs: with PostgreSQL's default 4 MB per sort they spill to disk.
# Raised for the scan's own transactions only (SET LOCAL), in the background worker.
SCAN_WORK_MEM = "64MB"


@dataclass(frozen=True)
class ScanStep:
    """Pairs of records sharing `keys` (SQL expressions over the table's columns)
    among the rows matching `where`; `bits` is the SQL for a pair's reason bits (over
    `a.` and `b.` columns) or a constant."""

    keys: tuple[str, ...]
    where: str
    bits: str
    columns: tuple[str, ...] = ()
    # A broader step that already pairs each of its groups' first few: the pairs it
    # finds are left to it, so this step adds only what lies past them.
    within: ScanStep | None = None


@dataclass(frozen=True)
class ScanPlan:
    record_table: str
    pair_table: str
    reasons: Reasons
    steps: tuple[ScanStep, ...]


def _step_sql(plan: ScanPlan, step: ScanStep) -> str:
    """The INSERT of one step's pairs into the staging table."""
    keys = ", ".join(step.keys)
    columns = ", ".join(("id", *step.columns, *(f"{k} AS k{i}" for i, k in enumerate(step.keys))))
    rows = f"{plan.record_table} WHERE account_id = %(account)s AND {step.where}"
    left_out = ""
    if step.within is not None:
        # Ranked within the broader step's groups, over all of their rows: the pairs
        # of a broader group's first few are that step's, unless it pairs nothing.
        broader = step.within
        partition = ", ".join(broader.keys)
        rows = f"""(
            SELECT *, row_number() OVER (PARTITION BY {partition} ORDER BY id) AS wr,
                   count(*) OVER (PARTITION BY {partition}) AS wn
            FROM {plan.record_table} WHERE account_id = %(account)s AND {broader.where}
        ) AS ranked WHERE {step.where}"""
        columns += ", wr, wn"
        left_out = f" AND (a.wr > {FIRST_FEW} OR a.wn > {MAX_GROUP})"
    same_key = " AND ".join(f"b.k{i} = a.k{i}" for i in range(len(step.keys)))
    return f"""
        WITH grouped AS (
            SELECT {columns},
                   row_number() OVER (PARTITION BY {keys} ORDER BY id) AS r,
                   count(*) OVER (PARTITION BY {keys}) AS n
            FROM {rows}
        ),
        pairs AS (
            SELECT a.id AS low_id, b.id AS high_id, {step.bits} AS bits
            FROM grouped a JOIN grouped b ON {same_key} AND b.r > a.r
            WHERE a.n BETWEEN 2 AND {MAX_GROUP} AND a.r <= {FIRST_FEW}{left_out}
        )
        INSERT INTO {STAGING} (low_id, high_id, bits)
        SELECT low_id, high_id, bits FROM pairs WHERE bits > 0
    """


def _replace_sql(plan: ScanPlan) -> str:
    """The account's pairs replaced by the staged ones, one row per pair, inserted in
    the unique index's order (appended to it, not scattered over its pages)."""
    # Each reason's bit OR'ed over the pair's rows (SQLite has no bit_or aggregate).
    united = " | ".join(f"MAX(bits & {plan.reasons.bit(name)})" for name in plan.reasons.scores)
    return f"""
        INSERT INTO {plan.pair_table} (account_id, low_id, high_id, reason_bits, score, found_at)
        SELECT %(account)s, low_id, high_id, bits, {plan.reasons.score_sql("bits")},
               %(found_at)s
        FROM (SELECT low_id, high_id, {united} AS bits FROM {STAGING}
              GROUP BY low_id, high_id) AS united
        ORDER BY low_id, high_id
    """


def _raise_work_mem(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'")


def scan_run(*, scan: DuplicateScan, plan: ScanPlan) -> int:
    """Run the queued `scan` through `plan`'s steps, reporting progress after each;
    returns how many pairs the account has now. Not inside a transaction: each step
    commits, so the page polling the scan sees it move."""
    scans = DuplicateScan.objects.for_account(scan.account_id).filter(pk=scan.pk)
    found_at = connection.ops.adapt_datetimefield_value(timezone.now())
    total = len(plan.steps) + 1
    scans.update(status=DuplicateScan.Status.RUNNING, steps_total=total, steps_done=0)
    params = {"account": scan.account_id, "found_at": found_at}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (low_id bigint, high_id bigint, bits integer)"
        )
    try:
        for done, step in enumerate(plan.steps, start=1):
            with transaction.atomic(), connection.cursor() as cursor:
                _raise_work_mem(cursor)
                cursor.execute(_step_sql(plan, step), params)
            scans.update(steps_done=done)
        with transaction.atomic(), connection.cursor() as cursor:
            _raise_work_mem(cursor)
            cursor.execute(
                f"DELETE FROM {plan.pair_table} WHERE account_id = %s", [scan.account_id]
            )
            cursor.execute(_replace_sql(plan), params)
            pairs = cursor.rowcount
            scans.update(
                status=DuplicateScan.Status.DONE,
                steps_done=total,
                pair_count=pairs,
                finished_at=timezone.now(),
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    return pairs
