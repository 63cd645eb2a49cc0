"""Where a page's database time goes: every query one GET runs, with its time and,
for the slow ones, PostgreSQL's plan.

    BENCH_DATABASE_URL=postgres://…/relay_bench .venv/bin/python bench/explain.py /pipeline/
    … bench/explain.py /api/v1/crm/contacts/ --slow 5   # plans of queries over 5 ms
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--user", default="bench")
    parser.add_argument("--slow", type=float, default=10.0, help="show plans above this (ms)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relay_bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "explain-only-not-a-real-secret-0123456789")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client, headers = Client(), {}
    user = User.objects.get(username=args.user)
    if args.path.startswith("/api/"):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    else:
        client.force_login(user)
    client.get(args.path, HTTP_HOST="127.0.0.1", **headers)  # warm
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(args.path, HTTP_HOST="127.0.0.1", **headers).status_code
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
