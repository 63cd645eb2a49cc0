"""The account-wide duplicate scan: SQL that pairs records sharing a key, one
GROUP-BY-like pass (a window over the key) per key, written into the record type's
pair table (companies/models_duplicates.py).

Each step is one INSERT ... SELECT, its own transaction, so the scan's progress (steps
done) is visible while it runs and the pair list keeps answering. A step upserts its
pairs with the scan's `found_at`: a pair found by an earlier step of the same scan
gains the new reason (bits OR'ed, score recomputed); one left from an earlier scan is
replaced. The last step deletes the pairs no step of this scan found again.

Groups do not explode: in a group of N records sharing a key, each record is paired
with the group's first `FIRST_FEW` records (by id) only, so N records make at most
about FIRST_FEW × N pairs, not N². (A switchboard number shared by 5,000 contacts is
15,000 pairs, not 12.5 million.) The per-record look-ups find every match regardless.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from companies.models_duplicates import DuplicateScan
from lib.duplicate_reasons import Reasons

FIRST_FEW = 3


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
    keys = ", ".join(step.keys)
    columns = ", ".join(("id", *step.columns, *(f"{k} AS k{i}" for i, k in enumerate(step.keys))))
    rows = f"{plan.record_table} WHERE account_id = %(account)s AND {step.where}"
    left_out = ""
    if step.within is not None:
        # Ranked within the broader step's groups, over all of their rows.
        broader = step.within
        rows = f"""(
            SELECT *, row_number() OVER (PARTITION BY {", ".join(broader.keys)} ORDER BY id) AS wr
            FROM {plan.record_table} WHERE account_id = %(account)s AND {broader.where}
        ) AS ranked WHERE {step.where}"""
        columns += ", wr"
        left_out = f" AND a.wr > {FIRST_FEW}"
    same_key = " AND ".join(f"b.k{i} = a.k{i}" for i in range(len(step.keys)))
    pair = plan.pair_table
    score = plan.reasons.score_sql(f"({pair}.reason_bits | excluded.reason_bits)")
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
            WHERE a.n > 1 AND a.r <= {FIRST_FEW}{left_out}
        )
        INSERT INTO {pair} (account_id, low_id, high_id, reason_bits, score, found_at)
        SELECT %(account)s, low_id, high_id, bits,
               {plan.reasons.score_sql("bits")}, %(found_at)s
        FROM pairs WHERE bits > 0
        ON CONFLICT (account_id, low_id, high_id) DO UPDATE SET
            reason_bits = CASE WHEN {pair}.found_at = excluded.found_at
                THEN {pair}.reason_bits | excluded.reason_bits ELSE excluded.reason_bits END,
            score = CASE WHEN {pair}.found_at = excluded.found_at
                THEN {score} ELSE excluded.score END,
            found_at = excluded.found_at
    """


def scan_run(*, scan: DuplicateScan, plan: ScanPlan) -> int:
    """Run the queued `scan` through `plan`'s steps, reporting progress after each;
    returns how many pairs the account has now. Not inside a transaction: each step
    commits, so the page polling the scan sees it move."""
    scans = DuplicateScan.objects.for_account(scan.account_id).filter(pk=scan.pk)
    found_at = connection.ops.adapt_datetimefield_value(timezone.now())
    total = len(plan.steps) + 1
    scans.update(status=DuplicateScan.Status.RUNNING, steps_total=total, steps_done=0)
    params = {"account": scan.account_id, "found_at": found_at}
    for done, step in enumerate(plan.steps, start=1):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_step_sql(plan, step), params)
        scans.update(steps_done=done)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {plan.pair_table} WHERE account_id = %s AND found_at <> %s",
            [scan.account_id, found_at],
        )
        cursor.execute(
            f"SELECT count(*) FROM {plan.pair_table} WHERE account_id = %s", [scan.account_id]
        )
        (pairs,) = cursor.fetchone()
        scans.update(
            status=DuplicateScan.Status.DONE,
            steps_done=total,
            pair_count=pairs,
            finished_at=timezone.now(),
        )
    return pairs
