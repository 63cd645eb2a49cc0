"""`make chaos`: restart PostgreSQL under load and check what clients saw.

A load of creates and reads runs against gunicorn while PostgreSQL is restarted
(`pg_ctlcluster ... restart`, so it needs the local cluster and root). Pass when:
- no request got a 500: during the outage the API answers 503 with a JSON body;
- the API recovers by itself within 5 seconds of PostgreSQL accepting connections
  again, without restarting the app;
- every create answered 201 is in the database, and every stored contact was answered
  201, once: each create carries an `Idempotency-Key` and is retried with the same key
  after a 503, a 409 (its first attempt still running) or a lost connection, so a
  create whose COMMIT landed but whose answer was lost gets that answer on its retry
  instead of writing a second contact (the "lost answer" case).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import BASE, environment, manage, serve, stop  # noqa: E402

RECOVERY_LIMIT = 5.0
# How long a create keeps retrying (same key) after the load stops, to get its answer.
RETRY_GRACE = 20.0
RETRIED = {503, 409}  # the database was out / the first attempt is still running


def cluster():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return version, "main"


def answer(response):
    """The JSON body, or the start of the text when it is not JSON."""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.json()
    return response.text[:200]


def pg_ready(admin_url) -> bool:
    import psycopg

    try:
        with psycopg.connect(admin_url, connect_timeout=1):
            return True
    except psycopg.Error:
        return False


def main() -> int:
    database_url = os.environ.get(
        "CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relay_chaos"
    )
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    name = database_url.rsplit("/", 1)[1]
    env = environment(database_url) | {"DATABASE_POOL_TIMEOUT": "2"}
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env, "create_account", "--name", "Chaos", "--username", "chaos", "--password", "chaos-pass"
    )
    server, task_worker = serve(env, workers=2)
    log: list[tuple[float, str, int, object]] = []  # (time, kind, status, id or body)
    stop_at = [time.perf_counter() + 25]
    try:
        token = requests.post(
            f"{BASE}/api/v1/auth/token/", json={"username": "chaos", "password": "chaos-pass"}
        ).json()["token"]

        def create(session, email):
            """POST one contact until it has an answer, retrying with the same key;
            logs every attempt, and the final answer as "create"."""
            key = str(uuid.uuid4())
            while True:
                try:
                    r = session.post(
                        f"{BASE}/api/v1/crm/contacts/",
                        json={"first_name": "Chaos", "email": email},
                        headers={"Idempotency-Key": key},
                        timeout=10,
                    )
                except requests.RequestException as exc:
                    log.append((time.perf_counter(), "error", 0, str(exc)[:200]))
                else:
                    body = answer(r)
                    if r.status_code not in RETRIED:
                        log.append(
                            (
                                time.perf_counter(),
                                "create",
                                r.status_code,
                                body.get("id") if r.status_code == 201 else body,
                            )
                        )
                        return
                    log.append((time.perf_counter(), "retried", r.status_code, body))
                if time.perf_counter() > stop_at[0] + RETRY_GRACE:
                    log.append((time.perf_counter(), "gave up", 0, email))
                    return
                time.sleep(0.2)

        def client(n):
            session = requests.Session()
            session.headers["Authorization"] = f"Token {token}"
            i = 0
            while time.perf_counter() < stop_at[0]:
                i += 1
                create(session, f"c{n}-{i}@example.com")
                try:
                    r = session.get(f"{BASE}/api/v1/crm/contacts/?page_size=5", timeout=10)
                    log.append(
                        (
                            time.perf_counter(),
                            "read",
                            r.status_code,
                            None if r.status_code == 200 else answer(r),
                        )
                    )
                except requests.RequestException as exc:
                    log.append((time.perf_counter(), "error", 0, str(exc)[:200]))
                time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(5)
        version, name_ = cluster()
        down_at = time.perf_counter()
        print("chaos: restarting PostgreSQL")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name_, "stop", "-m", "fast"],
            check=True,
        )
        time.sleep(3)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, name_, "start"], check=True
        )
        while not pg_ready(admin):
            time.sleep(0.1)
        up_at = time.perf_counter()
        stop_at[0] = max(stop_at[0], up_at + 10)
        for thread in threads:
            thread.join()
    finally:
        stop(server, task_worker)

    failures = []
    statuses = sorted({status for _t, _k, status, _x in log})
    print(f"chaos: {len(log)} requests, statuses {statuses}")
    if any(status == 500 for _t, _k, status, _x in log):
        failures.append("some request answered 500")
    during = [s for t, _k, s, _x in log if down_at <= t <= up_at]
    print(
        f"chaos: during the outage {during.count(503)} answers were 503, "
        f"{sum(1 for s in during if s in (200, 201))} succeeded"
    )
    bad = [x for _t, _k, s, x in log if s == 503 and not (isinstance(x, dict) and "detail" in x)]
    if bad:
        failures.append(f"503 without a JSON detail: {bad[:2]}")
    later = [(t, s) for t, _k, s, _x in log if t > up_at]
    first_ok = next((t for t, s in later if s in (200, 201)), None)
    recovery = (first_ok - up_at) if first_ok else float("inf")
    print(f"chaos: recovered {recovery:.2f}s after PostgreSQL came back")
    if recovery > RECOVERY_LIMIT:
        failures.append(f"recovery took {recovery:.2f}s (limit {RECOVERY_LIMIT}s)")
    if any(s != 503 and s >= 500 for t, s in later if t > up_at + RECOVERY_LIMIT):
        failures.append("errors after recovery")

    acknowledged = {x for _t, k, s, x in log if k == "create" and s == 201}
    gave_up = [x for _t, k, _s, x in log if k == "gave up"]
    retried = sum(1 for _t, k, _s, _x in log if k == "retried")
    with psycopg.connect(database_url) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM contacts_contact")}
    if acknowledged - stored:
        failures.append(f"{len(acknowledged - stored)} acknowledged creates are missing")
    if stored - acknowledged:
        failures.append(
            f"{len(stored - acknowledged)} stored contacts were never "
            f"acknowledged (answers lost although every create was retried)"
        )
    if gave_up:
        failures.append(f"{len(gave_up)} creates never got an answer: {gave_up[:3]}")
    print(
        f"chaos: {len(acknowledged)} creates acknowledged, {len(stored)} stored, "
        f"{retried} retries with the same Idempotency-Key"
    )
    for failure in failures:
        print(f"chaos: FAIL {failure}")
    print("chaos: PASS" if not failures else "chaos: FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
