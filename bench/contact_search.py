"""Measure contact search strategies on PostgreSQL: prefix full-text vs trigram.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_bench \
        .venv/bin/python bench/contact_search.py --contacts 1000000

Fills one large account (plus a small one) with generated contacts using SQL's
generate_series, then times `ali smi` both ways with EXPLAIN ANALYZE: the shipped
GIN index over (account_id, to_tsvector(...)) with a prefix tsquery, and a
trigram GIN index with ILIKE on each word. Drops what it made at the end.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Account  # noqa: E402
from contacts.models import Contact  # noqa: E402
from lib.search import order_hits_by_sorting  # noqa: E402

FIRST = [
    "Alice",
    "Alison",
    "Ali",
    "Bob",
    "Carol",
    "Dan",
    "Erin",
    "Frank",
    "Grace",
    "Heidi",
    "Ivan",
    "Judy",
    "Mallory",
    "Niaj",
    "Olivia",
    "Peggy",
    "Rupert",
    "Sybil",
    "Trent",
    "Victor",
    "Walter",
    "Natalie",
    "Amalia",
    "Khalil",
]
LAST = [
    "Smith",
    "Smithers",
    "Jones",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Thomas",
    "Johnson",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
]


def fill(account_id: int, n: int) -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO contacts_contact (account_id, first_name, last_name, email, phone,
                title, custom_fields, created_at, updated_at)
            SELECT %(account)s,
                   (%(first)s::text[])[1 + (i * 7919) %% array_length(%(first)s::text[], 1)]
                     || CASE WHEN i %% 3 = 0 THEN '' ELSE chr((97 + i %% 26)::int) END,
                   (%(last)s::text[])[1 + (i * 104729) %% array_length(%(last)s::text[], 1)]
                     || CASE WHEN i %% 5 = 0 THEN '' ELSE chr((97 + (i / 26) %% 26)::int) END,
                   'user' || i || '@example' || (i %% 97) || '.com', '', '', '{}', now(), now()
            FROM generate_series(1::bigint, %(n)s) AS i
            """,
            {"account": account_id, "n": n, "first": FIRST, "last": LAST},
        )


def timed(sql: str, params, runs: int = 15) -> tuple[float, float, int]:
    times = []
    with connection.cursor() as cur:
        for _ in range(runs):
            start = time.perf_counter()
            cur.execute(sql, params)
            rows = cur.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=200_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")

    big = Account.objects.create(name="bench-search-big")
    small = Account.objects.create(name="bench-search-small")
    try:
        t = time.perf_counter()
        fill(big.pk, args.contacts)
        fill(small.pk, 1000)
        with connection.cursor() as cur:
            cur.execute("ANALYZE contacts_contact")
        print(f"filled {args.contacts} contacts in {time.perf_counter() - t:.1f}s")

        fts = order_hits_by_sorting(
            Contact.objects.for_account(big)
            .search("ali smi")
            .order_by("last_name", "first_name", "id")
        )[:20]
        naive = (
            Contact.objects.for_account(big)
            .search("ali smi")
            .order_by("last_name", "first_name", "id")[:20]
        )
        naive_sql, naive_params = naive.query.sql_with_params()
        fts_sql, fts_params = fts.query.sql_with_params()
        fts_count_sql, fts_count_params = (
            Contact.objects.for_account(big).search("ali smi").values("id").query.sql_with_params()
        )

        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute(
                "CREATE INDEX bench_contact_trgm ON contacts_contact USING gin "
                "(account_id, (first_name || ' ' || last_name || ' ' || email) gin_trgm_ops)"
            )
            print(f"trigram index built in {time.perf_counter() - t:.1f}s")
            cur.execute("ANALYZE contacts_contact")
            cur.execute(
                "SELECT pg_size_pretty(pg_relation_size('contact_search')), "
                "pg_size_pretty(pg_relation_size('bench_contact_trgm'))"
            )
            fts_size, trgm_size = cur.fetchone()

        trgm_where = (
            "account_id = %s AND (first_name || ' ' || last_name || ' ' || email) ILIKE %s "
            "AND (first_name || ' ' || last_name || ' ' || email) ILIKE %s"
        )
        trgm_params = [big.pk, "%ali%", "%smi%"]
        trgm_sql = (
            f"SELECT * FROM contacts_contact WHERE {trgm_where} "
            "ORDER BY last_name, first_name, id LIMIT 20"
        )
        trgm_count_sql = f"SELECT id FROM contacts_contact WHERE {trgm_where}"

        rows = [
            (
                "prefix full-text (shipped)",
                fts_size,
                timed(fts_sql, fts_params),
                timed(fts_count_sql, fts_count_params, runs=5),
            ),
            (
                "prefix full-text, ORDER BY on the index",
                fts_size,
                timed(naive_sql, naive_params, runs=5),
                timed(fts_count_sql, fts_count_params, runs=5),
            ),
            (
                "trigram ILIKE",
                trgm_size,
                timed(trgm_sql, trgm_params),
                timed(trgm_count_sql, trgm_params, runs=5),
            ),
        ]
        print(f"\n`ali smi` over {args.contacts:,} contacts of one account\n")
        print("| strategy | index size | page p50 ms | page p95 ms | matches | all ids p50 ms |")
        print("|---|---|---|---|---|---|")
        for name, size, page, full in rows:
            print(
                f"| {name} | {size} | {page[0]:.1f} | {page[1]:.1f} | {full[2]:,} | {full[0]:.1f} |"
            )
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS bench_contact_trgm")
            cur.execute(
                "DELETE FROM contacts_contact WHERE account_id IN (%s, %s)", [big.pk, small.pk]
            )
        Account.objects.filter(pk__in=[big.pk, small.pk]).delete()


if __name__ == "__main__":
    main()
