"""Where one request's Python time goes: cProfile over repeated in-process requests.

    .venv/bin/python bench/hotspots.py /api/v1/crm/contacts/            # top 30 by own time
    .venv/bin/python bench/hotspots.py /api/v1/crm/contacts/ --sort cumulative --runs 200
    .venv/bin/python bench/hotspots.py /api/v1/crm/contacts/bulk-import/ --post body.json

Runs against BENCH_DATABASE_URL (the data `make bench` generated) with DEBUG off, like
bench/explain.py. The wall time per request printed first is without HTTP and gunicorn.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
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
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--post", help="a JSON file: POST it instead of GET (rolled back)")
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    client, headers = signed_in_client(args.path, args.user)
    body = json.loads(Path(args.post).read_text()) if args.post else None

    def once():
        if body is None:
            return client.get(args.path, **headers).status_code
        with transaction.atomic():
            status = client.post(
                args.path, body, content_type="application/json", **headers
            ).status_code
            transaction.set_rollback(True)
        return status

    print(f"{'POST' if body else 'GET'} {args.path}: {once()}")  # warm
    start = time.perf_counter()
    for _ in range(args.runs):
        once()
    print(
        f"{(time.perf_counter() - start) * 1000 / args.runs:.2f} ms per request, "
        f"in-process, {args.runs} runs"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        once()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
