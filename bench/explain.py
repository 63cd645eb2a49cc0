"""Where a page's database time goes: every query one GET runs, with its time and,
for the slow ones, PostgreSQL's plan.

    BENCH_DATABASE_URL=postgres://…/relay_bench .venv/bin/python bench/explain.py /pipeline/
    … bench/explain.py /api/v1/crm/contacts/ --slow 5   # plans of queries over 5 ms
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.in_process import setup_django, signed_in_client  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--user", default="bench")
    parser.add_argument("--slow", type=float, default=10.0, help="show plans above this (ms)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, headers = signed_in_client(args.path, args.user)
    client.get(args.path, **headers)  # warm
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(args.path, **headers).status_code
    print(f"GET {args.path}: {status}, {len(ctx.captured_queries)} queries")
    with connection.cursor() as cursor:
        for n, query in enumerate(ctx.captured_queries, 1):
            sql = query["sql"]
            if sql.startswith(("SAVEPOINT", "RELEASE", "SET", "BEGIN", "COMMIT")):
                continue
            start = time.perf_counter()
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
            ms = (time.perf_counter() - start) * 1000
            print(f"{n:3}. {ms:8.1f} ms  {sql[:150]}")
            if ms >= args.slow:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join("        " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
